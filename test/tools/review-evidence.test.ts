import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { StackEvaluation } from "../../infra/offline/evaluate";
import { projectRoot, readStackFile } from "../../infra/offline/stack-file";
import { parseChecklistDocument } from "../../tools/review/evidence/checklist-doc";
import { readRecordedRun, type RecordedRun } from "../../tools/review/evidence/recorded-run";
import { sourceHash } from "../../tools/review/evidence/source-hash";
import { outcomeOf } from "../../tools/review/evidence/test-outcome";
import { reviewStack } from "../../tools/review/review-stack";
import { evaluateCommittedStacks } from "../infra/stack-evaluation";
import { passedRun, withTest } from "./recorded-run";

/**
 * Evidence means a test passed: a real vitest run (with the kit's reporter)
 * in a scratch project, read back as the review reads `npm test`'s; then the
 * review of production with one evidence test skipped, renamed or failed.
 */

const exec = promisify(execFile);

describe("the recorded run, from a real vitest run", () => {
  let root: string;
  let run: RecordedRun;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "recorded-run-"));
    mkdirSync(join(root, "test"));
    writeFileSync(
      join(root, "test", "withdraw.test.ts"),
      [
        'describe("withdraw job", () => {',
        '  it("withdraws above the threshold", () => { expect(2 + 2).toBe(4); });',
        // Skipped through the options argument: the reporter sees the same "skipped" state as it.skip.
        '  it("sends nothing while paused", { skip: true }, () => {});',
        '  it("decodes the revert", () => { expect(1).toBe(2); });',
        "});",
      ].join("\n"),
    );
    writeFileSync(
      join(root, "vitest.config.mts"),
      "export default { test: { globals: true, include: ['test/**/*.test.ts'] } };\n",
    );
    await exec(
      join(projectRoot, "node_modules/.bin/vitest"),
      ["run", "--root", root, `--reporter=${join(projectRoot, "test/harness/recorded-run-reporter.ts")}`],
      { cwd: root },
    ).catch((error: { code?: number }) => {
      // One test fails on purpose: vitest exits 1.
      if (error.code !== 1) throw error;
    });
    run = readRecordedRun(root);
  });

  it("carries the hash of the sources it ran on, and reads back every test with its outcome", () => {
    expect(run.state).toBe("current");
    if (run.state !== "current") return;
    expect(run.sourceHash).toBe(sourceHash(root));
    expect(run.tests.map((t) => [t.file, t.path.join(" › "), t.status])).toEqual([
      ["test/withdraw.test.ts", "withdraw job › withdraws above the threshold", "passed"],
      ["test/withdraw.test.ts", "withdraw job › sends nothing while paused", "skipped"],
      ["test/withdraw.test.ts", "withdraw job › decodes the revert", "failed"],
    ]);
  });

  it("counts a passed test, and not a skipped, renamed or failed one", () => {
    const named = parseChecklistDocument(
      [
        "### M1 x",
        "- test: `test/withdraw.test.ts` › withdraw job › withdraws above the threshold",
        "### H2 x",
        "- test: `test/withdraw.test.ts` › withdraw job › sends nothing while paused",
        "### O1 x",
        "- test: `test/withdraw.test.ts` › withdraw job › withdraws above the threshold, renamed",
        "### C2 x",
        "- test: `test/withdraw.test.ts` › withdraw job",
      ].join("\n"),
    );
    const outcome = (id: "M1" | "H2" | "O1" | "C2") => outcomeOf(named.get(id)?.[0] ?? { file: "", path: [] }, run);
    expect(outcome("M1")).toEqual({ state: "passed", count: 1 });
    expect(outcome("H2")).toMatchObject({ state: "not-run", reason: "1 of 1 test(s) skipped" });
    expect(outcome("O1")).toMatchObject({
      state: "not-run",
      reason: expect.stringMatching(/not in the last test run/),
    });
    expect(outcome("C2")).toMatchObject({ state: "failed", reason: "1 of 3 test(s) failed" });
  });

  it("is stale once a source changes, and missing where no run was recorded", () => {
    writeFileSync(join(root, "test", "withdraw.test.ts"), "// edited after the run\n", { flag: "a" });
    expect(readRecordedRun(root)).toMatchObject({
      state: "stale",
      reason: expect.stringMatching(/ran on other sources/),
    });
    expect(readRecordedRun(mkdtempSync(join(tmpdir(), "no-run-")))).toMatchObject({ state: "missing" });
  });
});

describe("an item whose evidence test did not run", () => {
  let production: StackEvaluation;
  const review = (run: RecordedRun) => reviewStack(production, { source: readStackFile("production"), run });
  const m1 = async (run: RecordedRun) => (await review(run)).checklist.find((item) => item.id === "M1");
  const withdrawTitle =
    "withdraws every token at or above its threshold in one withdrawFunds to the treasury, and emits amounts and gas";

  beforeAll(async () => {
    ({ production } = await evaluateCommittedStacks());
  });

  it("passes when the tests the checklist document names passed", async () => {
    expect(await m1(passedRun())).toMatchObject({ status: "pass" });
  });

  it("is 'evidence not run' when the test was skipped", async () => {
    const item = await m1(withTest(passedRun(), withdrawTitle, (test) => ({ ...test, status: "skipped" })));
    expect(item).toMatchObject({ status: "evidence-not-run", blocking: false });
    expect(item?.evidence.find((e) => e.notRun)?.detail).toBe("evidence not run: 1 of 1 test(s) skipped");
  });

  it("is 'evidence not run' when the test was renamed", async () => {
    const item = await m1(
      withTest(passedRun(), withdrawTitle, (test) => ({
        ...test,
        path: [...test.path.slice(0, -1), "withdraws (renamed)"],
      })),
    );
    expect(item).toMatchObject({ status: "evidence-not-run" });
    expect(item?.evidence.find((e) => e.notRun)?.detail).toMatch(/not in the last test run/);
  });

  it("fails, blocking, when the test failed", async () => {
    expect(await m1(withTest(passedRun(), withdrawTitle, (test) => ({ ...test, status: "failed" })))).toMatchObject({
      status: "fail",
      blocking: true,
    });
  });

  it("makes every test-backed item 'evidence not run' without a run on these sources, and the stack NOT READY", async () => {
    const report = await review({ state: "stale", reason: "the last test run ran on other sources" });
    expect(report.checklist.find((item) => item.id === "C1")?.status).toBe("evidence-not-run");
    expect(
      report.checklist
        .filter((item) => item.status === "pass")
        .every((item) => item.evidence.every((e) => e.kind !== "test")),
    ).toBe(true);
    expect(report.verdict).toBe("not-ready");
    expect(report.testRun).toEqual({ state: "stale", detail: "the last test run ran on other sources" });
  });
});
