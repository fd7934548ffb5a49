/**
 * The readiness report's signer lines, rendered: the replica region, the
 * pinned address (or how to pin it), the last rotation rehearsal the
 * rotate-signer dry run recorded, and a standby stack's state.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseKitConfig } from "../../infra/config";
import { evaluateProgram } from "../../infra/offline/evaluate";
import { readStackFile, stackSource } from "../../infra/offline/stack-file";
import { kitProgram } from "../../infra/program";
import { reviewStack } from "../../tools/review";
import { renderMarkdown } from "../../tools/review/markdown";
import { renderPlan } from "../../tools/plan";
import { passedRun } from "./recorded-run";

const pinned = "0x00000000000000000000000000000000000000aa";

async function readiness(stack: string, signer: Record<string, unknown> | undefined, reportsDir: string) {
  const values = structuredClone(readStackFile(stack).values) as Record<string, unknown>;
  if (signer) values["boson-kit:signer"] = { ...(values["boson-kit:signer"] as object), ...signer };
  const source = stackSource(stack, values);
  const evaluation = await evaluateProgram(parseKitConfig(source), kitProgram);
  const report = await reviewStack(evaluation, { source, run: passedRun(), reportsDir });
  return { report, markdown: renderMarkdown(report), plan: renderPlan(evaluation) };
}

describe("the readiness report's (and the plan's) signer lines", () => {
  it("show the replica region, the pinned address and the last recorded rotation rehearsal", async () => {
    const reportsDir = mkdtempSync(join(tmpdir(), "readiness-reports-"));
    mkdirSync(join(reportsDir, "production"), { recursive: true });
    // As rotate-signer --dry-run records it.
    writeFileSync(
      join(reportsDir, "production", "rotation-rehearsal.json"),
      JSON.stringify({ stack: "production", at: "2026-11-30T10:00:00.000Z", fork: true, complete: true, steps: [] }),
    );
    const { report, markdown } = await readiness("production", { address: pinned }, reportsDir);
    for (const line of [
      "Signer: generation 1 (multi-Region key); replica region: eu-central-1.",
      `Pinned signer address: ${pinned} (jobs refuse to sign for any other).`,
      "Last rotation rehearsal: 2026-11-30T10:00:00.000Z (complete).",
    ]) {
      expect(report.notes).toContain(line);
      expect(markdown).toContain(`- ${line}`);
    }
  });

  it("before the first deploy and the first rehearsal, say what is not known yet and how to get it", async () => {
    const empty = mkdtempSync(join(tmpdir(), "readiness-reports-"));
    const { markdown, plan } = await readiness("production", undefined, empty);
    const pin =
      "Pinned signer address: (known after deploy). After the first `pulumi up`, pin it: pulumi config set --path 'boson-kit:signer.address' \"$(pulumi stack output assistantAddress --stack production)\" --stack production";
    expect(markdown).toContain(`- ${pin}`);
    expect(plan).toContain(`note: ${pin}`);
    expect(markdown).toContain("- Last rotation rehearsal: none recorded (npm run rotate-signer -- --stack production");
  });

  it("show a standby stack's state: the replica it signs with, schedules off until switched on", async () => {
    const empty = mkdtempSync(join(tmpdir(), "readiness-reports-"));
    const { markdown } = await readiness("production-standby", undefined, empty);
    expect(markdown).toMatch(
      /- Signer: standby of stack production, signing with its replica key in eu-central-1; schedules OFF/,
    );
  });
});
