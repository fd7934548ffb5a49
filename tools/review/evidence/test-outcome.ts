import type { NamedTest } from "./checklist-doc";
import type { RecordedRun, RecordedTest } from "./recorded-run";

/**
 * What the recorded run says about one test (or suite) the checklist
 * document names: passed only if it ran and every test under it passed.
 * Absent (renamed, removed, another run's sources), skipped or todo: not run.
 */

export type Outcome =
  | { readonly state: "passed"; readonly count: number }
  | { readonly state: "failed" | "not-run"; readonly reason: string };

const startsWith = (path: readonly string[], prefix: readonly string[]) =>
  prefix.every((title, index) => path[index] === title);

export function outcomeOf(named: NamedTest, run: RecordedRun): Outcome {
  if (run.state !== "current") return { state: "not-run", reason: run.reason };
  const matches: RecordedTest[] = run.tests.filter(
    (test) => test.file === named.file && startsWith(test.path, named.path),
  );
  if (matches.length === 0)
    return { state: "not-run", reason: "not in the last test run (renamed, removed, or not run)" };
  const failed = matches.filter((test) => test.status === "failed");
  if (failed.length > 0) return { state: "failed", reason: `${failed.length} of ${matches.length} test(s) failed` };
  const skipped = matches.filter((test) => test.status !== "passed");
  if (skipped.length > 0)
    return {
      state: "not-run",
      reason: `${skipped.length} of ${matches.length} test(s) ${[...new Set(skipped.map((t) => t.status))].join("/")}`,
    };
  return { state: "passed", count: matches.length };
}

export const describeNamedTest = (named: NamedTest) => `${named.file} › ${named.path.join(" › ")}`;
