import { projectRoot } from "../../infra/offline/stack-file";
import { readChecklistDocument } from "../../tools/review/evidence/checklist-doc";
import type { RecordedRun, RecordedTest } from "../../tools/review/evidence/recorded-run";

type CurrentRun = Extract<RecordedRun, { state: "current" }>;

/**
 * A recorded run in which every test docs/checklist.md names passed (a named
 * suite gets one passing test): the review's own tests cannot read the run
 * they are part of. Tests then skip, rename or fail entries of it.
 */
export function passedRun(): CurrentRun {
  const tests = new Map<string, RecordedTest>();
  for (const named of readChecklistDocument(projectRoot).values()) {
    for (const test of named) {
      const path = test.path.length === 1 ? [...test.path, "a test in the suite"] : [...test.path];
      tests.set(`${test.file} › ${path.join(" › ")}`, { file: test.file, path, status: "passed" });
    }
  }
  return { state: "current", sourceHash: "sha256:test", tests: [...tests.values()] };
}

/** The run with `edit` applied to the tests whose title path contains `title`. */
export function withTest(
  run: CurrentRun,
  title: string,
  edit: (test: RecordedTest) => RecordedTest | undefined,
): CurrentRun {
  return {
    ...run,
    tests: run.tests.flatMap((test) =>
      test.path.includes(title) ? [edit(test)].filter((t): t is RecordedTest => t !== undefined) : [test],
    ),
  };
}
