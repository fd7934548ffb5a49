/**
 * Replay (checklist B1, B4): `npm run replay -- --stack <name> --exchange <id>`
 * (or `--trace <x-ray id>`) prints the Log Analytics SQL and the BigQuery SQL
 * that return that exchange's tool calls (or that trace's whole path) in
 * order, within a time window (`--since` / `--until`, default the last 7
 * days) that both queries filter on the tables' partition column. With `--run` it runs the BigQuery query, if Google credentials exist
 * on this machine; without them it says what is missing and exits non-zero.
 * Exit codes: 0 the rows were printed (possibly none), 1 the replay failed,
 * 2 no credentials for --run, 3 nothing exported to BigQuery yet (the sink's
 * table, or its tool-call columns, do not exist until the first tool-call
 * record is exported), 64 bad arguments.
 * Nothing touches the network unless `--run` is given and credentials exist.
 */
import { parseArgs } from "node:util";
import { ConfigError, parseKitConfig } from "../infra/config";
import { readStackFile } from "../infra/offline/stack-file";
import { replayQueries, replaySubject, replayWindow, ReplayInputError } from "./replay/queries";
import { findCredentials, NothingExportedError, renderRows, runBigQuery, type QueryRunner } from "./replay/run";

export const usage =
  "usage: npm run replay -- --stack <name> (--exchange <id> | --trace <x-ray trace id>) [--since <ISO date>] [--until <ISO date>] [--run]  (default window: the last 7 days; exit 3: nothing exported to BigQuery yet)";

export interface ReplayIo {
  readonly env: NodeJS.ProcessEnv;
  readonly home?: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** The clock the default window ends at (tests fix it). */
  readonly now?: () => Date;
  /** Runs the BigQuery SQL; the default calls BigQuery's REST API. */
  readonly runQuery?: QueryRunner;
}

/** The command, as a function: returns the exit code. */
export async function replay(argv: readonly string[], io: ReplayIo): Promise<number> {
  let values: {
    stack?: string | undefined;
    exchange?: string | undefined;
    trace?: string | undefined;
    since?: string | undefined;
    until?: string | undefined;
    run?: boolean | undefined;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string" },
        exchange: { type: "string" },
        trace: { type: "string" },
        since: { type: "string" },
        until: { type: "string" },
        run: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\n${usage}`);
    return 64;
  }
  if (!values.stack) {
    io.err(`--stack is required\n${usage}`);
    return 64;
  }
  try {
    const subject = replaySubject({ exchange: values.exchange, trace: values.trace });
    const config = parseKitConfig(readStackFile(values.stack));
    const queries = replayQueries(
      config,
      subject,
      replayWindow({ since: values.since, until: values.until }, io.now?.() ?? new Date()),
    );
    io.out(queries.logAnalytics);
    io.out("");
    io.out(queries.bigQuery);
    if (!values.run) return 0;

    const credentials = findCredentials(io.env, io.home);
    if (!credentials.found) {
      io.err(`\ncannot --run: ${credentials.missing}`);
      return 2;
    }
    io.out(`\nrunning the BigQuery query in ${queries.gcpProject} with ${credentials.source}...`);
    let result;
    try {
      result = await (io.runQuery ?? runBigQuery)(queries.gcpProject, queries.bigQuery);
    } catch (error) {
      if (!(error instanceof NothingExportedError)) throw error;
      io.out(`no tool-call records exported yet for ${queries.scope}`);
      io.err(
        `BigQuery: ${error.message}. The sink creates the table and its columns with the first tool-call record it exports: check that the shipper has shipped (its log group, its DLQ) and that the sink's filter matches.`,
      );
      return 3;
    }
    io.out(renderRows(result));
    io.out(`${result.rows.length} row${result.rows.length === 1 ? "" : "s"}`);
    return 0;
  } catch (error) {
    if (error instanceof ReplayInputError) {
      io.err(`${error.message}\n${usage}`);
      return 64;
    }
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 1;
    }
    io.err(`replay failed: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  replay(process.argv.slice(2), {
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`replay failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
