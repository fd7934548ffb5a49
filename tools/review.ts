/**
 * The readiness report: `npm run review -- --stack <name> [--rpc URL]`.
 * Evaluates the stack offline (the real program under mocks), runs the
 * policy pack, evaluates checklist items S1..C4 with evidence, and writes
 * reports/<stack>/readiness.md and readiness.json. With --rpc it also reads
 * the chain (diamond code, seller roles, paused regions, subgraph lag).
 * Exits 1 unless the stack is READY (no blocking failure, every test it
 * rests on passed on these sources, every sign-off present), or when the
 * config does not validate.
 */
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parseKitConfig, type ConfigSource } from "../infra/config";
import { evaluateConfig } from "../infra/offline/evaluate";
import { textWithoutFabricated } from "../infra/offline/known-after-deploy";
import { projectRoot, readStackFile } from "../infra/offline/stack-file";
import { readChainFacts, type ChainFacts } from "./review/online/chain-facts";
import { summaryTable, type Log } from "./review/progress";
import type { ReadinessReport } from "./review/report";
import { reviewStack, type ReviewOptions } from "./review/review-stack";
import { writeReport } from "./review/write";

export { reviewStack } from "./review/review-stack";

export interface ReviewRunOptions {
  /** Online mode: the chain's JSON-RPC URL. */
  readonly rpc?: string;
  /** Overrides the subgraph URL of the official table (online mode); false skips the lag check. */
  readonly subgraphUrl?: string | false;
  /** Where readiness.md / readiness.json go; defaults to reports/<stack>. `false`: write nothing. */
  readonly outDir?: string | false;
  readonly logGbPerMonth?: number;
  readonly log?: Log;
  /** Where the review reads its test run, checklist document and sign-offs (defaults: this repository). */
  readonly review?: Pick<ReviewOptions, "root" | "run" | "namedTests" | "signoffs">;
}

export interface ReviewRun {
  readonly exitCode: 0 | 1;
  /** Why the review failed, in a sentence or a list of config problems. */
  readonly reason?: string;
  readonly report?: ReadinessReport;
  readonly files: readonly string[];
}

/** Validates, evaluates, reviews and writes one stack's report; never throws for a bad config. */
export async function runReview(source: ConfigSource, options: ReviewRunOptions = {}): Promise<ReviewRun> {
  const log = options.log ?? (() => undefined);
  let config;
  try {
    config = parseKitConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) return { exitCode: 1, reason: error.message, files: [] };
    throw error;
  }
  log(`evaluating stack ${config.stack} (${config.configId}) offline...`);
  const evaluation = await evaluateConfig(config);
  log(`  ${evaluation.resources.filter((r) => r.custom).length} resources`);

  let online: ChainFacts | undefined;
  if (options.rpc) {
    log(`reading the chain at ${URL.canParse(options.rpc) ? new URL(options.rpc).host : "(invalid URL)"}...`);
    try {
      online = await readChainFacts(config, {
        rpcUrl: options.rpc,
        ...(options.subgraphUrl !== undefined ? { subgraphUrl: options.subgraphUrl } : {}),
      });
    } catch (error) {
      return { exitCode: 1, reason: `online checks could not read the chain: ${(error as Error).message}`, files: [] };
    }
  }

  const report = await reviewStack(evaluation, {
    ...options.review,
    source,
    log,
    ...(online ? { online } : {}),
    ...(options.logGbPerMonth !== undefined ? { cost: { logGbPerMonth: options.logGbPerMonth } } : {}),
  });

  const files = options.outDir === false ? [] : writeReport(report, options.outDir, evaluation.fabricated);
  log("");
  log(textWithoutFabricated(summaryTable(report), evaluation.fabricated));
  if (report.verdict !== "ready") {
    return {
      exitCode: 1,
      reason: `NOT READY: ${report.awaiting.length} thing(s) await someone (listed above)`,
      report,
      files,
    };
  }
  return { exitCode: 0, report, files };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      dir: { type: "string" },
      rpc: { type: "string" },
      "subgraph-url": { type: "string" },
      "no-subgraph": { type: "boolean" },
      out: { type: "string" },
      "log-gb": { type: "string" },
    },
  });
  if (!values.stack) {
    console.error(
      "usage: npm run review -- --stack <name> [--rpc URL [--subgraph-url URL | --no-subgraph]] [--dir DIR-WITH-STACK-FILES] [--out DIR] [--log-gb N]",
    );
    return 2;
  }
  const source = readStackFile(values.stack, values.dir ?? projectRoot);
  const run = await runReview(source, {
    ...(values.rpc ? { rpc: values.rpc } : {}),
    ...(values["no-subgraph"]
      ? { subgraphUrl: false as const }
      : values["subgraph-url"]
        ? { subgraphUrl: values["subgraph-url"] }
        : {}),
    // Stack files from elsewhere (--dir) get their report there too, never over the committed one.
    outDir: values.out ?? join(values.dir ?? projectRoot, "reports", values.stack),
    ...(values["log-gb"] ? { logGbPerMonth: Number(values["log-gb"]) } : {}),
    log: (line) => console.log(line),
  });
  for (const file of run.files) console.log(`wrote ${relative(process.cwd(), file)}`);
  if (run.reason) console.error(run.reason);
  return run.exitCode;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`review failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
