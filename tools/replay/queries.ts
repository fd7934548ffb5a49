import type { KitConfig } from "../../infra/config";
import { bigQueryTable, logAnalyticsView, logPipelineNames } from "../../infra/definitions/gcp-names";
import { entryLabels } from "../../lambdas/shipper/entries";
import { bigQueryFieldName } from "./export-schema";

/**
 * The replay queries (checklist B1, B4): one exchange's tool calls, or one
 * trace's whole path, in the order they happened, from the log bucket (Log
 * Analytics SQL) or from the BigQuery export (BigQuery SQL). Values are
 * validated before they are put in the SQL, so the printed query can be
 * pasted into either console as is.
 */

export type ReplaySubject =
  { readonly kind: "exchange"; readonly exchangeId: string } | { readonly kind: "trace"; readonly traceId: string };

export interface ReplayQueries {
  readonly subject: ReplaySubject;
  /** Run in Logs Explorer > Log Analytics on the stack's bucket. */
  readonly logAnalytics: string;
  /** Run in BigQuery on the sink's dataset (what `--run` runs). */
  readonly bigQuery: string;
  readonly gcpProject: string;
  /** What and when, e.g. `exchange 7, stack staging, 2026-05-01T00:00:00.000Z to 2026-05-08T00:00:00.000Z`. */
  readonly scope: string;
}

/** Boson exchange ids are uint256, written in decimal. */
const exchangeIdPattern = /^[0-9]{1,78}$/;
/** X-Ray root ids (what the jobs log as xray_trace_id) or 32-hex trace ids. */
const traceIdPattern = /^(1-[0-9a-f]{8}-[0-9a-f]{24}|[0-9a-f]{32})$/i;

export class ReplayInputError extends Error {
  override name = "ReplayInputError";
}

export function replaySubject(options: { exchange?: string | undefined; trace?: string | undefined }): ReplaySubject {
  if (options.exchange !== undefined && options.trace !== undefined)
    throw new ReplayInputError("give --exchange or --trace, not both");
  if (options.exchange !== undefined) {
    if (!exchangeIdPattern.test(options.exchange))
      throw new ReplayInputError(
        `--exchange ${JSON.stringify(options.exchange)} is not an exchange id (a decimal number)`,
      );
    return { kind: "exchange", exchangeId: options.exchange };
  }
  if (options.trace !== undefined) {
    // Accept the header form the jobs send (`Root=1-...;Parent=...`) as well as the bare id.
    const traceId = /(?:^|;)\s*Root=([^;]+)/.exec(options.trace)?.[1] ?? options.trace;
    if (!traceIdPattern.test(traceId))
      throw new ReplayInputError(
        `--trace ${JSON.stringify(options.trace)} is not an X-Ray trace id (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx)`,
      );
    return { kind: "trace", traceId: traceId.toLowerCase() };
  }
  throw new ReplayInputError("give --exchange <id> or --trace <id>");
}

/**
 * The time window a replay reads: both queries filter on `timestamp`, so a
 * replay reads only the partitions in the window, never the whole table.
 *
 * BigQuery: the kit's sink sets `bigqueryOptions.usePartitionedTables`
 * (infra/resource-groups/gcp-log-storage.ts). Google's reference for the
 * sink's BigQueryOptions (the google.logging.v2.BigQueryOptions message,
 * https://cloud.google.com/php/docs/reference/cloud-logging/latest/V2.BigQueryOptions):
 * without it "Cloud Logging creates dated tables based on the log entries'
 * timestamps, e.g. syslog_20170523" (date-sharded tables: one table per day,
 * no partitions and no `_PARTITIONTIME`; the single table queried here would
 * not exist); with it "the date suffix is no longer present", and
 * `usesTimestampColumnPartitioning`: "All new sinks will have this field set
 * true and will use timestamp column based partitioning" — the partition
 * column is the entry's `timestamp`. `_PARTITIONTIME` belongs to "legacy
 * ingestion-time partitioning", which only sinks created before that use,
 * never the kit's.
 */
export type ReplayWindow = { readonly since: Date; readonly until: Date };

export const defaultWindowDays = 7;

/** `--since` / `--until` (ISO 8601 dates or times); default: the last 7 days up to now. */
export function replayWindow(
  options: { since?: string | undefined; until?: string | undefined },
  now: Date = new Date(),
): ReplayWindow {
  const parse = (flag: string, value: string): Date => {
    const date = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime()))
      throw new ReplayInputError(
        `${flag} ${JSON.stringify(value)} is not an ISO 8601 date or time (e.g. 2026-05-01 or 2026-05-01T12:00:00Z)`,
      );
    return date;
  };
  const until = options.until !== undefined ? parse("--until", options.until) : now;
  const since =
    options.since !== undefined
      ? parse("--since", options.since)
      : new Date(until.getTime() - defaultWindowDays * 86_400_000);
  if (since.getTime() >= until.getTime())
    throw new ReplayInputError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  return { since, until };
}

/** The payload keys the replay reads: the jobs' tool-call record (lambdas/shared/runtime/logger.ts). */
const toolCall = { key: "toolCall", fields: ["tool", "operation", "outcome"] } as const;

export function replayQueries(
  config: Pick<KitConfig, "stack" | "gcp">,
  subject: ReplaySubject,
  window: ReplayWindow = replayWindow({}),
): ReplayQueries {
  const project = config.gcp.project;
  const names = logPipelineNames(config.stack, config.gcp);
  const logName = `projects/${project}/logs/${names.logId}`;
  const trace = subject.kind === "trace" ? `projects/${project}/traces/${subject.traceId}` : undefined;
  const scope = `${subject.kind === "exchange" ? `exchange ${subject.exchangeId}` : `trace ${subject.traceId}`}, stack ${config.stack}, ${window.since.toISOString()} to ${window.until.toISOString()}`;
  const title = `${scope}, in order`;
  const inWindow = `timestamp >= TIMESTAMP('${window.since.toISOString()}') AND timestamp < TIMESTAMP('${window.until.toISOString()}')`;

  // Log Analytics: labels and json_payload are JSON, keys as the shipper wrote them.
  const analyticsLabel = (key: string) => `JSON_VALUE(labels.${key})`;
  const analyticsWhere =
    subject.kind === "exchange"
      ? `${analyticsLabel(entryLabels.exchangeId)} = '${subject.exchangeId}'`
      : `trace = '${trace}'`;
  const logAnalytics = [
    `-- Log Analytics: ${title}`,
    "SELECT",
    "  timestamp,",
    "  severity,",
    `  ${analyticsLabel(entryLabels.job)} AS job,`,
    ...toolCall.fields.map((field) => `  JSON_VALUE(json_payload.${toolCall.key}.${field}) AS ${field},`),
    `  ${analyticsLabel(entryLabels.exchangeId)} AS exchange_id,`,
    `  ${analyticsLabel(entryLabels.txHash)} AS tx_hash,`,
    "  trace,",
    "  json_payload",
    `FROM \`${logAnalyticsView({ ...config.gcp, project }, config.stack)}\``,
    `WHERE ${inWindow}`,
    `  AND log_name = '${logName}'`,
    `  AND ${analyticsWhere}`,
    "ORDER BY timestamp, insert_id",
  ].join("\n");

  // BigQuery export: user-supplied names (labels, payload keys) are lower-cased columns.
  const bigQueryLabel = (key: string) => `labels.${bigQueryFieldName(key)}`;
  const payload = (...keys: string[]) => ["jsonPayload", ...keys.map(bigQueryFieldName)].join(".");
  const bigQueryWhere =
    subject.kind === "exchange"
      ? `${bigQueryLabel(entryLabels.exchangeId)} = '${subject.exchangeId}'`
      : `trace = '${trace}'`;
  const bigQuery = [
    `-- BigQuery: ${title}`,
    "SELECT",
    "  timestamp,",
    "  severity,",
    `  ${bigQueryLabel(entryLabels.job)} AS job,`,
    ...toolCall.fields.map((field) => `  ${payload(toolCall.key, field)} AS ${field},`),
    `  ${bigQueryLabel(entryLabels.exchangeId)} AS exchange_id,`,
    `  ${bigQueryLabel(entryLabels.txHash)} AS tx_hash,`,
    "  trace,",
    "  TO_JSON_STRING(jsonPayload) AS json_payload",
    `FROM \`${bigQueryTable({ ...config.gcp, project }, config.stack)}\``,
    `WHERE ${inWindow}`,
    `  AND ${bigQueryWhere}`,
    "ORDER BY timestamp, insertId",
  ].join("\n");

  return { subject, logAnalytics, bigQuery, gcpProject: project, scope };
}
