import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { isChecklistId, type ChecklistId } from "../../infra/policy/checklist";
import { mappedTests, type MappedTest } from "./test-map";

/**
 * Which automated tests prove a checklist item: the kit's convention is that
 * a test (or its describe block) names the item it proves in its title, e.g.
 * `describe("redaction (C1)")`. The review lists those tests as evidence;
 * `npm test` (CI) is what runs them. The review's and the policy pack's own
 * tests are left out: they test the reviewer, not the item. Tests that
 * prove an item without naming it are listed in `test-map.ts`.
 */

export interface TestTitle {
  readonly file: string;
  readonly line: number;
  readonly title: string;
}

const excludedDirectories = ["test/tools", "test/policy"];

const titlePattern = /\b(?:describe|it|test)(?:\.(?:each|skip|only|concurrent)(?:\([^)]*\))?)?\(\s*(["'`])((?:\\.|(?!\1)[^\\])*)\1/g;

function testFiles(root: string, directory: string): string[] {
  const path = join(root, directory);
  return readdirSync(path).flatMap((entry) => {
    const full = join(path, entry);
    const rel = relative(root, full);
    if (excludedDirectories.some((excluded) => rel === excluded || rel.startsWith(`${excluded}/`))) return [];
    if (statSync(full).isDirectory()) return testFiles(root, rel);
    return entry.endsWith(".test.ts") ? [rel] : [];
  });
}

/** Test titles that name checklist ids (or are mapped to one), by id. */
export function testsByChecklistId(root: string, mapped: readonly MappedTest[] = mappedTests): Map<ChecklistId, TestTitle[]> {
  const found = new Map<ChecklistId, TestTitle[]>();
  const add = (id: ChecklistId, test: TestTitle) => {
    const known = found.get(id) ?? [];
    if (!known.some((t) => t.file === test.file && t.line === test.line)) found.set(id, [...known, test]);
  };
  for (const file of testFiles(root, "test").sort()) {
    const text = readFileSync(join(root, file), "utf8");
    for (const match of text.matchAll(titlePattern)) {
      const title = match[2] ?? "";
      const line = text.slice(0, match.index).split("\n").length;
      for (const id of new Set([...title.matchAll(/\b([SHOMBC][1-6])\b/g)].map((m) => m[1] ?? "").filter(isChecklistId))) add(id, { file, line, title });
      for (const entry of mapped.filter((m) => m.file === file && m.title.test(title))) add(entry.id, { file, line, title });
    }
  }
  return found;
}
