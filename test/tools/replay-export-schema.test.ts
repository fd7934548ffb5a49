/**
 * The replay SQL against the schemas Cloud Logging documents for the entries
 * the shipper actually writes: both queries are parsed with a BigQuery-dialect
 * SQL parser, and every column path they read must exist in the schema that
 * Google's naming rules give for entries built by the shipper's own code from
 * the jobs' own log records. There is no BigQuery emulator; this is what
 * keeps the SQL and the shipper from drifting apart.
 */
import type { CloudWatchLogsLogEvent } from "aws-lambda";
import { Parser } from "node-sql-parser";
import { describe, expect, it } from "vitest";
import { parseKitConfig } from "../../infra/config";
import { readStackFile } from "../../infra/offline/stack-file";
import { createJobLogger, withToolCall } from "../../lambdas/shared/runtime/logger";
import { toShippableEntry, type ShippableEntry } from "../../lambdas/shipper/entries";
import { bigQueryColumnPaths, bigQueryFieldName, logAnalyticsColumnPaths } from "../../tools/replay/export-schema";
import {
  replayQueries,
  replaySubject,
  replayWindow,
  ReplayInputError,
  type ReplaySubject,
} from "../../tools/replay/queries";
import { captureStdout } from "../harness/job-output";

/** Entries the shipper builds from real job records: a tool call about an exchange, and a plain record. */
async function shippedEntries(): Promise<ShippableEntry[]> {
  const output = captureStdout();
  try {
    const logger = createJobLogger("watcher");
    await withToolCall(
      logger,
      {
        tool: "rpc",
        operation: "getTransactionReceipt",
        exchangeId: "1234",
        txHash: `0x${"ab".repeat(32)}`,
        requestId: "req-1",
      },
      () => Promise.resolve(1),
    );
    logger.info("watcher run", { result: { stored: 1 } });
  } finally {
    output.restore();
  }
  const source = {
    messageType: "DATA_MESSAGE" as const,
    owner: "123456789012",
    logGroup: "/aws/lambda/boson-kit-staging-watcher-1a2b3c",
    logStream: "s",
    subscriptionFilters: [],
    logEvents: [],
  };
  return output.lines().map((record, index) => {
    const event: CloudWatchLogsLogEvent = {
      id: String(index),
      timestamp: Date.now(),
      message: JSON.stringify({ ...record, xray_trace_id: "1-5759e988-bd862e3fe1be46a994272793" }),
    };
    return toShippableEntry(event, source, {
      gcpProject: "boson-kit-staging",
      stack: "staging",
      configId: "staging-1-1",
    });
  });
}

type Node = Record<string, unknown>;

/** Every column path the statement reads, e.g. `jsonPayload.toolcall.tool`, `labels.exchangeid`, `timestamp`. */
function columnPaths(sql: string): string[] {
  const ast = new Parser().astify(sql, { database: "bigquery" });
  const paths: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== "object") return;
    const value = node as Node;
    if (value.type === "column_ref") {
      const column =
        typeof value.column === "string" ? value.column : String(((value.column as Node).expr as Node).value);
      paths.push(
        [
          ...(typeof value.table === "string" ? [value.table] : []),
          column,
          ...((value.subFields as string[] | undefined) ?? []),
        ].join("."),
      );
      return;
    }
    Object.values(value).forEach(walk);
  };
  walk(ast);
  return paths;
}

/** The top-level WHERE conjuncts on `timestamp`, as [operator, function] pairs. */
function partitionFilters(sql: string): string[] {
  const ast = new Parser().astify(sql, { database: "bigquery" }) as unknown as Node;
  const found: string[] = [];
  const conjuncts = (node: Node): void => {
    if (node.type === "binary_expr" && node.operator === "AND") {
      conjuncts(node.left as Node);
      conjuncts(node.right as Node);
      return;
    }
    const left = node.left as Node | undefined;
    if (
      node.type === "binary_expr" &&
      left?.type === "column_ref" &&
      left.table === null &&
      ((left.column as Node).expr as Node).value === "timestamp"
    ) {
      found.push(`${String(node.operator)} ${String((((node.right as Node).name as Node).schema as Node).value)}`);
    }
  };
  conjuncts((Array.isArray(ast) ? (ast[0] as Node) : ast).where as Node);
  return found;
}

const aliases = new Set(["job", "tool", "operation", "outcome", "exchange_id", "tx_hash", "json_payload"]);
const subjects: ReplaySubject[] = [
  replaySubject({ exchange: "1234" }),
  replaySubject({ trace: "1-5759e988-bd862e3fe1be46a994272793" }),
];

describe.each(["staging", "production"])("replay SQL against the export schemas (%s)", (stack) => {
  const config = parseKitConfig(readStackFile(stack));

  it.each(subjects)("reads only columns the BigQuery export has for the shipped entries (%o)", async (subject) => {
    const schema = bigQueryColumnPaths(await shippedEntries());
    const read = columnPaths(replayQueries(config, subject).bigQuery);
    expect(read.length).toBeGreaterThan(8);
    expect(read.filter((path) => !schema.has(path) && !aliases.has(path))).toEqual([]);
    expect(read).toEqual(
      expect.arrayContaining([
        "jsonPayload.toolcall.tool",
        "jsonPayload.toolcall.operation",
        "jsonPayload.toolcall.outcome",
        "labels.job",
      ]),
    );
  });

  it.each(subjects)(
    "reads only columns and JSON keys the Log Analytics view has for the shipped entries (%o)",
    async (subject) => {
      const schema = logAnalyticsColumnPaths(await shippedEntries());
      const read = columnPaths(replayQueries(config, subject).logAnalytics);
      expect(read.filter((path) => !schema.has(path) && !aliases.has(path))).toEqual([]);
      expect(read).toEqual(expect.arrayContaining(["json_payload.toolCall.tool", "labels.job", "log_name"]));
    },
  );

  // Google's BigQueryOptions reference: a sink with usePartitionedTables writes one table with no date suffix,
  // partitioned on the entries' `timestamp` column ("timestamp column based partitioning", all new sinks);
  // _PARTITIONTIME is legacy ingestion-time partitioning; without the option, dated tables (<table>_YYYYMMDD).
  it.each(subjects)(
    "filters both queries on `timestamp`, the partition column of the partitioned-table sink, inside the window (%o)",
    (subject) => {
      const window = replayWindow({ since: "2026-05-01", until: "2026-05-03T12:00:00Z" });
      const queries = replayQueries(config, subject, window);
      expect(queries.bigQuery).not.toMatch(/_PARTITIONTIME|_PARTITIONDATE|_TABLE_SUFFIX/);
      const [table] = new Parser().tableList(queries.bigQuery, { database: "bigquery" });
      // project.dataset.table: one table, no date suffix, no wildcard.
      const tableId = table?.split("::").at(-1)?.split(".").at(-1);
      expect(tableId).toMatch(/^[A-Za-z0-9_]+$/);
      expect(tableId).not.toMatch(/_\d{8}$/);
      for (const sql of [queries.bigQuery, queries.logAnalytics]) {
        expect(partitionFilters(sql)).toEqual([">= TIMESTAMP", "< TIMESTAMP"]);
        expect(sql).toContain(
          "timestamp >= TIMESTAMP('2026-05-01T00:00:00.000Z') AND timestamp < TIMESTAMP('2026-05-03T12:00:00.000Z')",
        );
      }
    },
  );
});

describe("the export naming rules", () => {
  it("catch the camel-case paths the BigQuery export does not have", async () => {
    const schema = bigQueryColumnPaths(await shippedEntries());
    expect(schema.has("jsonPayload.toolCall.tool")).toBe(false);
    expect(schema.has("labels.exchangeId")).toBe(false);
    expect(schema.has("jsonPayload.toolcall.tool")).toBe(true);
    expect(schema.has("labels.exchangeid")).toBe(true);
  });

  it("follow Google's documented examples", () => {
    // jsonPayload.MESSAGE -> message; myField.mySubfield -> myfield.mysubfield; foo%% -> foo__; leading underscores dropped.
    expect(["MESSAGE", "myField", "mySubfield", "foo%%", "_private", "xray_trace_id"].map(bigQueryFieldName)).toEqual([
      "message",
      "myfield",
      "mysubfield",
      "foo__",
      "private",
      "xray_trace_id",
    ]);
  });
});

describe("replay window", () => {
  const now = new Date("2026-06-10T08:00:00Z");

  it("defaults to the last 7 days", () => {
    expect(replayWindow({}, now)).toEqual({ since: new Date("2026-06-03T08:00:00Z"), until: now });
    expect(replayWindow({ until: "2026-06-01" }, now)).toEqual({
      since: new Date("2026-05-25T00:00:00Z"),
      until: new Date("2026-06-01T00:00:00Z"),
    });
  });

  it("refuses a bad date or an empty window, naming the flag", () => {
    expect(() => replayWindow({ since: "last week" }, now)).toThrow(ReplayInputError);
    expect(() => replayWindow({ since: "last week" }, now)).toThrow(/--since "last week" is not an ISO 8601 date/);
    expect(() => replayWindow({ since: "2026-06-05", until: "2026-06-04" }, now)).toThrow(
      /--since .* must be before --until/,
    );
  });
});
