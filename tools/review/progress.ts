import type { ItemResult, ReadinessReport } from "./report";

/** What the review prints while it works, and the summary table at the end. */

export type Log = (line: string) => void;

const mark: Record<ItemResult["status"], string> = {
  pass: "pass",
  fail: "FAIL",
  "evidence-not-run": "not run",
  "needs-sign-off": "sign-off",
};

export function itemProgress(log: Log, total: number) {
  let done = 0;
  return (item: ItemResult) => {
    done += 1;
    log(
      `  [${String(done).padStart(2)}/${total}] ${item.id} ${mark[item.status].padEnd(8)}${item.blocking ? " (blocking)" : ""}`,
    );
  };
}

export function summaryTable(report: ReadinessReport): string {
  const rows = report.checklist.map((item) => {
    const status = item.status === "fail" ? (item.blocking ? "FAIL (blocking)" : "fail (advisory)") : item.status;
    const why = item.summary.length > 90 ? `${item.summary.slice(0, 87)}...` : item.summary;
    return `  ${item.id}  ${status.padEnd(16)} ${item.title.slice(0, 58).padEnd(58)}  ${why}`;
  });
  return [
    `  id  ${"status".padEnd(16)} ${"item".padEnd(58)}  why`,
    ...rows,
    "",
    `${report.stack}: ${verdictLine(report)}`,
    ...report.awaiting.map((a) => `  awaits ${a.who}: ${a.what}`),
  ].join("\n");
}

/** "READY" or "NOT READY" with the counts behind it. */
export function verdictLine(report: ReadinessReport): string {
  const { summary } = report;
  const counts = `${summary.pass} pass, ${summary.fail} fail, ${summary.evidenceNotRun} evidence not run, ${summary.needsSignOff} need a sign-off`;
  return `${report.verdict === "ready" ? "READY" : "NOT READY"} (${counts}${summary.blocking.length > 0 ? `; blocking: ${summary.blocking.join(", ")}` : ""})`;
}
