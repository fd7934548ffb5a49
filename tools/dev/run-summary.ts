/**
 * One line per job run for the operator: virtual time, job, outcome, and
 * the outcome's figures (numbers, short strings, list lengths), so a new
 * field in a job's outcome shows up without touching the loop.
 */
import type { JobRun } from "./job-process";

const maxFigures = 12;

function figures(value: unknown, path: string, into: string[]): void {
  if (into.length >= maxFigures) return;
  if (typeof value === "number" || typeof value === "boolean") into.push(`${path}=${String(value)}`);
  else if (typeof value === "string") into.push(`${path}=${value.length > 70 ? `${value.slice(0, 67)}...` : value}`);
  else if (Array.isArray(value)) {
    if (value.length > 0 && value.every((item) => typeof item !== "object" || item === null))
      into.push(`${path}=${value.join("|")}`);
    else if (value.length <= 3) value.forEach((item, index) => figures(item, `${path}[${index}]`, into));
    else into.push(`${path}=${value.length} items`);
  } else if (value !== null && typeof value === "object") {
    // A top-level `report` (the health job's) is the whole outcome: its fields need no prefix.
    for (const [key, inner] of Object.entries(value))
      figures(inner, path ? `${path}.${key}` : key === "report" ? "" : key, into);
  }
}

export function summarizeRun(run: JobRun, at: Date): string {
  const time = at.toISOString().replace(/\.\d+Z$/, "Z");
  if (run.error !== undefined) return `${time} ${run.job.padEnd(8)} ERROR ${run.error}`;
  const { status, ...rest } = run.outcome ?? {};
  const listed: string[] = [];
  figures(rest, "", listed);
  return `${time} ${run.job.padEnd(8)} ${String(status)} ${listed.join(" ")}`.trimEnd();
}
