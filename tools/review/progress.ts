import type { ItemResult, ReadinessReport } from "./report";

/** What the review prints while it works, and the summary table at the end. */

export type Log = (line: string) => void;

const mark: Record<ItemResult["status"], string> = { pass: "pass", fail: "FAIL", "needs-human": "human" };

export function itemProgress(log: Log, total: number) {
  let done = 0;
  return (item: ItemResult) => {
    done += 1;
    log(`  [${String(done).padStart(2)}/${total}] ${item.id} ${mark[item.status].padEnd(5)}${item.blocking ? " (blocking)" : ""}`);
  };
}

export function summaryTable(report: ReadinessReport): string {
  const rows = report.checklist.map((item) => {
    const status = item.status === "fail" ? (item.blocking ? "FAIL (blocking)" : "fail (advisory)") : item.status;
    const why = item.summary.length > 90 ? `${item.summary.slice(0, 87)}...` : item.summary;
    return `  ${item.id}  ${status.padEnd(16)} ${item.title.slice(0, 58).padEnd(58)}  ${why}`;
  });
  const { summary } = report;
  return [
    `  id  ${"status".padEnd(16)} ${"item".padEnd(58)}  why`,
    ...rows,
    "",
    `${report.stack}: ${report.verdict.toUpperCase()} (${summary.pass} pass, ${summary.fail} fail, ${summary.needsHuman} need a person${summary.blocking.length > 0 ? `; blocking: ${summary.blocking.join(", ")}` : ""})`,
  ].join("\n");
}
