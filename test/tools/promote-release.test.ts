import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { Release } from "../../lambdas/contract/release";
import { releaseTagKey } from "../../lambdas/contract/release";
import { releaseDigest } from "../../infra/definitions/release-identity";
import { projectRoot, readStackFile } from "../../infra/offline/stack-file";
import { promotionGate } from "../../tools/promote/gate";
import { plannedRelease, readSmokeRecordFile, releaseRefusals } from "../../tools/promote/release-check";
import { passingSmokeRecord } from "../harness/smoke-record";
import { environmentOf, evaluateCommittedStacks, functionType, ofType } from "../infra/stack-evaluation";

/**
 * Artifact identity: production may run only the release a passing staging
 * smoke run recorded. Both directions: the same release passes; any Lambda
 * whose bundle or fixed settings differ is refused by name.
 */

const run = promisify(execFile);
let stagingRelease: Release;
let productionRelease: Release;

beforeAll(async () => {
  const { staging, production } = await evaluateCommittedStacks();
  stagingRelease = plannedRelease(staging.outputs);
  productionRelease = plannedRelease(production.outputs);
});

function withBundle(release: Release, name: string, bundleSha256: string): Release {
  const identity = release[name];
  if (!identity) throw new Error(`no ${name} in the release`);
  return { ...release, [name]: { ...identity, bundleSha256 } };
}

describe("the release identity each stack declares", () => {
  it("names every Lambda: the four jobs and the shipper", () => {
    expect(Object.keys(productionRelease).sort()).toEqual(["health", "shipper", "smoke", "watcher", "withdraw"]);
  });

  it("is the same in staging and production when the code is the same (it holds nothing per stack)", () => {
    expect(productionRelease).toEqual(stagingRelease);
  });

  it("tags every function with its identity's digest, and hands the smoke job the whole release", async () => {
    const { production } = await evaluateCommittedStacks();
    const functions = ofType(production, functionType);
    expect(functions).toHaveLength(5);
    const digests = functions.map((fn) => (fn.inputs.tags as Record<string, string>)[releaseTagKey]);
    expect(new Set(digests)).toEqual(new Set(Object.values(productionRelease).map(releaseDigest)));
    const smoke = functions.find((fn) => fn.name === "smoke-job-function");
    if (!smoke) throw new Error("no smoke function");
    expect(JSON.parse(environmentOf(smoke).KIT_RELEASE ?? "null")).toEqual(productionRelease);
  });
});

describe("the promotion gate's artifact-identity check", () => {
  it("allows the release a passing staging smoke run recorded", () => {
    expect(releaseRefusals(productionRelease, passingSmokeRecord("staging", stagingRelease), "staging")).toEqual([]);
  });

  it("refuses a plan whose withdraw bundle is not the one staging tested, naming the job and the field", () => {
    const tested = withBundle(stagingRelease, "withdraw", "0".repeat(64));
    const refusals = releaseRefusals(productionRelease, passingSmokeRecord("staging", tested), "staging");
    expect(refusals).toEqual([
      expect.stringMatching(
        /^withdraw differs from what passed the staging smoke run \(2026-11-30T10:04:00.000Z\): bundleSha256$/,
      ),
    ]);
  });

  it("refuses a Lambda with another memory size or a lockfile that changed", () => {
    const health = stagingRelease.health;
    if (!health) throw new Error("no health identity");
    const tested = { ...stagingRelease, health: { ...health, memorySizeMb: 1024, lockfileSha256: "1".repeat(64) } };
    expect(releaseRefusals(productionRelease, passingSmokeRecord("staging", tested), "staging")).toEqual([
      expect.stringMatching(/^health differs .*: lockfileSha256, memorySizeMb$/),
    ]);
  });

  it("refuses a Lambda the staging run never saw", () => {
    const { shipper: _shipper, ...withoutShipper } = stagingRelease;
    expect(releaseRefusals(productionRelease, passingSmokeRecord("staging", withoutShipper), "staging")).toEqual([
      "shipper is not in the release the staging smoke run tested",
    ]);
  });

  it("refuses a failed smoke run, a record from another stack, and no record at all", () => {
    const failed = passingSmokeRecord("staging", stagingRelease);
    failed.passed = false;
    failed.steps[1] = { exchange: "A", step: "redeem", status: "failed" };
    expect(releaseRefusals(productionRelease, failed, "staging")).toEqual([
      expect.stringMatching(/did not pass \(A.redeem failed\)/),
    ]);
    expect(releaseRefusals(productionRelease, passingSmokeRecord("production", stagingRelease), "staging")).toEqual([
      "the smoke record is from stack production, not staging",
    ]);
    expect(releaseRefusals(productionRelease, undefined, "staging")).toEqual([
      expect.stringMatching(/^no smoke record from staging: .*--smoke-record FILE/),
    ]);
  });

  it("is part of the gate: a tampered record refuses the promotion and prints no commands", async () => {
    const smokeRecord = passingSmokeRecord("staging", withBundle(stagingRelease, "watcher", "f".repeat(64)));
    const result = await promotionGate(readStackFile("staging"), readStackFile("production"), { smokeRecord });
    expect(result.allowed).toBe(false);
    expect(result.refusals).toContainEqual(expect.stringMatching(/^watcher differs .*: bundleSha256$/));
    expect(result.commands).toEqual([]);
  });
});

describe("smoke records on disk", () => {
  it("reads the smoke job's saved invocation result, and refuses a file that is not a record", () => {
    const dir = mkdtempSync(join(tmpdir(), "smoke-record-"));
    const record = passingSmokeRecord("staging", stagingRelease);
    writeFileSync(join(dir, "result.json"), JSON.stringify({ status: "succeeded", steps: [], releaseRecord: record }));
    expect(readSmokeRecordFile(join(dir, "result.json"))).toEqual(record);
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ stack: "staging", passed: "yes" }));
    expect(() => readSmokeRecordFile(join(dir, "bad.json"))).toThrow(
      /bad.json is not a smoke release record: .*passed/,
    );
  });

  it("npm run promote exits 1 naming the job whose bundle differs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "promote-release-"));
    const file = join(dir, "smoke.json");
    writeFileSync(
      file,
      JSON.stringify(passingSmokeRecord("staging", withBundle(stagingRelease, "smoke", "a".repeat(64)))),
    );
    const failed = await run(
      join(projectRoot, "node_modules/.bin/tsx"),
      ["tools/promote.ts", "--from", "staging", "--to", "production", "--smoke-record", file, "--out", dir],
      {
        cwd: projectRoot,
      },
    ).then(
      () => ({ code: 0, stdout: "" }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /promotion REFUSED:[\s\S]*smoke differs from what passed the staging smoke run .*: bundleSha256/,
    );
  });
});
