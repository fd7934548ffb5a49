import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../infra/offline/stack-file";
import { renderMarkdown } from "./markdown";
import type { ReadinessReport } from "./report";

/** Writes readiness.md and readiness.json (default: reports/<stack>/) and returns their paths. */
export function writeReport(report: ReadinessReport, dir = join(projectRoot, "reports", report.stack)): string[] {
  mkdirSync(dir, { recursive: true });
  const markdown = join(dir, "readiness.md");
  const json = join(dir, "readiness.json");
  writeFileSync(markdown, `${renderMarkdown(report)}\n`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  return [markdown, json];
}
