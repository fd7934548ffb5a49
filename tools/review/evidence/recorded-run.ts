import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { z } from "zod";
import { sourceHash } from "./source-hash";

/**
 * The last recorded `npm test` run: vitest's JSON report (.test-results.json)
 * and, next to it, the hash of the sources it ran on and of the report
 * itself (written by test/harness/recorded-run-reporter.ts). A run counts
 * only when both files are there, agree with each other, and the sources
 * hash equals the working tree's.
 */

export const recordedRunFile = ".test-results.sources.json";
const reportFile = ".test-results.json";

/** A test's outcome as vitest reports it. */
export type TestOutcome = "passed" | "failed" | "skipped" | "pending" | "todo" | "disabled";

export interface RecordedTest {
  /** Test file relative to the repository root, with forward slashes. */
  readonly file: string;
  /** Describe titles, then the test's own title. */
  readonly path: readonly string[];
  readonly status: TestOutcome;
}

export type RecordedRun =
  | { readonly state: "current"; readonly sourceHash: string; readonly tests: readonly RecordedTest[] }
  | { readonly state: "missing" | "stale"; readonly reason: string };

const sidecarSchema = z.object({
  report: z.string(),
  reportSha256: z.string().regex(/^[0-9a-f]{64}$/),
  sourceHash: z.string().startsWith("sha256:"),
});

/** The part of vitest's JSON report the review reads. */
const reportSchema = z.object({
  testResults: z.array(
    z.object({
      name: z.string(),
      assertionResults: z.array(
        z.object({
          ancestorTitles: z.array(z.string()),
          title: z.string(),
          status: z.enum(["passed", "failed", "skipped", "pending", "todo", "disabled"]),
        }),
      ),
    }),
  ),
});

/** The tests of a vitest JSON report, file paths made relative to `root`. */
export function testsOfReport(report: unknown, root: string): RecordedTest[] {
  const parsed = reportSchema.parse(report);
  return parsed.testResults.flatMap((file) =>
    file.assertionResults.map((test) => ({
      file: relative(root, file.name).split("\\").join("/"),
      path: [...test.ancestorTitles, test.title],
      status: test.status,
    })),
  );
}

/** Reads the last recorded run under `root` and checks it ran on the sources there now. */
export function readRecordedRun(root: string, currentSources: string = sourceHash(root)): RecordedRun {
  const sidecarPath = join(root, recordedRunFile);
  const reportPath = join(root, reportFile);
  if (!existsSync(sidecarPath) || !existsSync(reportPath)) {
    return {
      state: "missing",
      reason: `no recorded test run (${reportFile} and ${recordedRunFile}): run \`npm test\``,
    };
  }
  const sidecar = sidecarSchema.safeParse(JSON.parse(readFileSync(sidecarPath, "utf8")));
  if (!sidecar.success)
    return { state: "missing", reason: `${recordedRunFile} is not a recorded run: run \`npm test\`` };
  const text = readFileSync(reportPath, "utf8");
  if (createHash("sha256").update(text).digest("hex") !== sidecar.data.reportSha256) {
    return {
      state: "stale",
      reason: `${reportFile} was not written by the run ${recordedRunFile} describes: run \`npm test\``,
    };
  }
  if (sidecar.data.sourceHash !== currentSources) {
    return {
      state: "stale",
      reason: `the last test run ran on other sources (${sidecar.data.sourceHash.slice(0, 19)}..., now ${currentSources.slice(0, 19)}...): run \`npm test\``,
    };
  }
  const tests = testsOfReport(JSON.parse(text), root);
  return { state: "current", sourceHash: sidecar.data.sourceHash, tests };
}
