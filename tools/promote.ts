/**
 * The promotion gate: `npm run promote -- --from staging --to production`.
 * Shows the config and resource differences between the two stacks, marks
 * each expected or suspicious, runs the target's review, and prints the
 * Pulumi commands to run. Exits 1 (and prints no commands) when the review
 * is blocked, a suspicious difference is not acknowledged with --ack <id>
 * (repeatable) or --ack-all, or the target's planned Lambdas are not the
 * release the source's last smoke run passed with (--smoke-record FILE, the
 * saved smoke result; or --smoke-table TABLE, the source stack's checkpoints
 * table, read with the caller's AWS credentials).
 */
import { parseArgs } from "node:util";
import { join, relative } from "node:path";
import { projectRoot, readStackFile } from "../infra/offline/stack-file";
import { verdictLine } from "./review/progress";
import { writeReport } from "./review/write";
import type { Difference } from "./promote/differences";
import { promotionGate, type GateResult } from "./promote/gate";
import { readSmokeRecordFile, readSmokeRecordFromTable } from "./promote/release-check";

export { promotionGate } from "./promote/gate";

const clip = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 3)}...` : text);

/** Expected and noted differences on one line each; suspicious ones with why and the id that acknowledges them. */
function row(difference: Difference, acknowledged: boolean): string[] {
  const change = clip(`${difference.from ?? "(absent)"} -> ${difference.to ?? "(absent)"}`, 100);
  if (difference.expected)
    return [`  ${difference.level.padEnd(12)}${difference.subject}: ${change}  [${difference.why}]`];
  return [
    `  ${acknowledged ? "ACKNOWLEDGED" : "SUSPICIOUS  "}${difference.subject}: ${change}`,
    `              ${difference.why}`,
    `              acknowledge with: --ack ${difference.id}`,
  ];
}

export function renderGate(result: GateResult, from: string, to: string): string {
  const unacked = new Set(result.unacknowledged.map((d) => d.id));
  const section = (title: string, list: readonly Difference[]) => {
    const suspicious = list.filter((d) => !d.expected);
    // Suspicious first: they are what the release owner has to read; then noted, then expected.
    const ordered = [
      ...suspicious,
      ...list.filter((d) => d.level === "noted"),
      ...list.filter((d) => d.level === "expected"),
    ];
    const count = (level: Difference["level"]) => list.filter((d) => d.level === level).length;
    return [
      `${title}: ${list.length} (${suspicious.length} suspicious, ${count("noted")} noted, ${count("expected")} expected)`,
      ...(list.length === 0 ? ["  none"] : ordered.flatMap((d) => row(d, !unacked.has(d.id)))),
      "",
    ];
  };
  const review = result.review;
  // No review means a config did not validate: there is nothing to compare.
  const compared = review
    ? [...section("config differences", result.config), ...section("resource differences", result.resources)]
    : ["not compared: a stack's config does not validate", ""];
  return [
    `promote ${from} -> ${to}`,
    "",
    ...compared,
    review
      ? `${to} review: ${verdictLine(review)}; the evidence is in reports/${to}/readiness.md`
      : `${to} review: not run`,
    ...(review ? review.awaiting.map((a) => `  awaits ${a.who}: ${a.what}`) : []),
    "",
    ...(result.allowed
      ? ["promotion allowed. Run, in order:", ...result.commands.map((command, index) => `  ${index + 1}. ${command}`)]
      : ["promotion REFUSED:", ...result.refusals.map((refusal) => `  - ${refusal}`)]),
  ].join("\n");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: "string" },
      to: { type: "string" },
      dir: { type: "string" },
      ack: { type: "string", multiple: true },
      "ack-all": { type: "boolean" },
      "smoke-record": { type: "string" },
      "smoke-table": { type: "string" },
      "diff-only": { type: "boolean" },
      out: { type: "string" },
    },
  });
  if (!values.from || !values.to) {
    console.error(
      "usage: npm run promote -- --from <stack> --to <stack> (--smoke-record FILE | --smoke-table TABLE) [--ack <difference id>]... [--ack-all] [--dir DIR-WITH-STACK-FILES] [--out DIR]",
    );
    return 2;
  }
  const root = values.dir ?? projectRoot;
  const smokeRecord = values["smoke-record"]
    ? readSmokeRecordFile(values["smoke-record"])
    : values["smoke-table"]
      ? await readSmokeRecordFromTable({ tableName: values["smoke-table"], stack: values.from })
      : undefined;
  const result = await promotionGate(readStackFile(values.from, root), readStackFile(values.to, root), {
    acknowledged: values.ack ?? [],
    acknowledgeAll: values["ack-all"] === true,
    log: (line) => console.log(line),
    smokeRecord,
  });
  // The target's readiness report, so the evidence behind the verdict is on disk.
  if (result.review) {
    for (const file of writeReport(result.review, values.out ?? join(root, "reports", values.to), result.fabricated))
      console.log(`wrote ${relative(process.cwd(), file)}`);
  }
  if (values["diff-only"]) {
    // A pull request shows what would be promoted; the gate applies on main, with the smoke record.
    console.log(
      renderGate({ ...result, allowed: false, refusals: [], commands: [] }, values.from, values.to).replace(
        /\npromotion REFUSED:\s*$/,
        "\n(diff only: the promotion gate was not applied)",
      ),
    );
    return 0;
  }
  console.log(renderGate(result, values.from, values.to));
  return result.allowed ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`promote failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
