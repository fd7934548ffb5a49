import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isChecklistId, type ChecklistId } from "../../../infra/policy/checklist";

/**
 * The tests that prove each checklist item, as docs/checklist.md names them:
 * under an item's heading (`### S1 ...`), one line per test or suite,
 *
 *     - test: `test/lambdas/kms-account.test.ts` › kms account › derives the address ...
 *
 * the file, then the describe titles and the test title as vitest reports
 * them. A line that stops at a describe title names the whole suite.
 */

export interface NamedTest {
  readonly file: string;
  readonly path: readonly string[];
}

export const checklistDocument = join("docs", "checklist.md");

const heading = /^###\s+([A-Z][0-9])\b/;
const testLine = /^-\s+test:\s+`([^`]+)`\s+›\s+(.+)$/;

export function parseChecklistDocument(text: string): Map<ChecklistId, NamedTest[]> {
  const named = new Map<ChecklistId, NamedTest[]>();
  let current: ChecklistId | undefined;
  for (const line of text.split("\n")) {
    const id = heading.exec(line)?.[1];
    if (id !== undefined) {
      current = isChecklistId(id) ? id : undefined;
      continue;
    }
    if (/^#{1,3}\s/.test(line)) current = undefined;
    const test = testLine.exec(line.trim());
    if (current && test?.[1] && test[2]) {
      named.set(current, [
        ...(named.get(current) ?? []),
        { file: test[1], path: test[2].split(" › ").map((part) => part.trim()) },
      ]);
    }
  }
  return named;
}

export function readChecklistDocument(root: string): Map<ChecklistId, NamedTest[]> {
  return parseChecklistDocument(readFileSync(join(root, checklistDocument), "utf8"));
}
