import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { textWithoutFabricated, withoutFabricated } from "../../infra/offline/known-after-deploy";
import { projectRoot } from "../../infra/offline/stack-file";
import { renderMarkdown } from "./markdown";
import type { ReadinessReport } from "./report";

/**
 * Writes readiness.md and readiness.json (default: reports/<stack>/) and
 * returns their paths. `fabricated`: the values the offline evaluation made
 * up, which the files show as "(known after deploy)".
 */
export function writeReport(
  report: ReadinessReport,
  dir = join(projectRoot, "reports", report.stack),
  fabricated: readonly string[] = [],
): string[] {
  mkdirSync(dir, { recursive: true });
  const markdown = join(dir, "readiness.md");
  const json = join(dir, "readiness.json");
  writeFileSync(markdown, `${textWithoutFabricated(renderMarkdown(report), fabricated)}\n`);
  writeFileSync(json, `${JSON.stringify(withoutFabricated(report, fabricated), null, 2)}\n`);
  return [markdown, json];
}
