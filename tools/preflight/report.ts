import type { CheckResult } from "./check";

const marks = { pass: "ok", fail: "FAIL", info: "info" } as const;

function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 3)}...` : text.padEnd(width);
}

/**
 * The summary table (one row per check, the worst result wins), then one
 * line per failure with its fix, then the verdict.
 */
export function renderReport(stack: string, results: readonly CheckResult[], scope = ""): string {
  const checks = [...new Set(results.map((result) => result.check))];
  const nameWidth = Math.max(5, ...checks.map((check) => check.length));
  const rows = checks.map((check) => {
    const own = results.filter((result) => result.check === check);
    const failed = own.filter((result) => result.status === "fail");
    const status = failed.length > 0 ? "fail" : own.every((result) => result.status === "info") ? "info" : "pass";
    const detail = failed.length > 1 ? `${failed.length} problems (below)` : ((failed[0] ?? own[0])?.detail ?? "");
    return `${cell(check, nameWidth)}  ${cell(marks[status], 4)}  ${cell(detail, 110)}`.trimEnd();
  });
  const failures = results.filter((result) => result.status === "fail");
  const lines = [
    `preflight for stack ${stack}${scope ? `: ${scope}` : ""}`,
    "",
    `${cell("check", nameWidth)}  ok?   detail`,
    ...rows,
  ];
  if (failures.length > 0) {
    lines.push("", `${failures.length} problem${failures.length === 1 ? "" : "s"} to fix before pulumi up:`);
    for (const failure of failures)
      lines.push(`  - ${failure.check}: ${failure.detail}; fix: ${failure.fix ?? "(none)"}`);
  }
  const passed = checks.length - new Set(failures.map((failure) => failure.check)).size;
  lines.push(
    "",
    failures.length > 0
      ? `preflight FAILED: ${passed} of ${checks.length} checks passed`
      : `preflight passed: ${checks.length} of ${checks.length} checks`,
  );
  return lines.join("\n");
}

export const preflightExitCode = (results: readonly CheckResult[]): number =>
  results.some((result) => result.status === "fail") ? 1 : 0;
