import type { KitConfig } from "../../infra/config";
import { bigQueryTable, logAnalyticsView, logPipelineNames } from "../../infra/definitions/gcp-names";

/**
 * The replay queries (checklist B1, B4): one exchange's tool calls, or one
 * trace's whole path, in the order they happened, from the log bucket (Log
 * Analytics SQL) or from the BigQuery export (BigQuery SQL). Values are
 * validated before they are put in the SQL, so the printed query can be
 * pasted into either console as is.
 */

export type ReplaySubject = { readonly kind: "exchange"; readonly exchangeId: string } | { readonly kind: "trace"; readonly traceId: string };

export interface ReplayQueries {
  readonly subject: ReplaySubject;
  /** Run in Logs Explorer > Log Analytics on the stack's bucket. */
  readonly logAnalytics: string;
  /** Run in BigQuery on the sink's dataset (what `--run` runs). */
  readonly bigQuery: string;
  readonly gcpProject: string;
}

/** Boson exchange ids are uint256, written in decimal. */
const exchangeIdPattern = /^[0-9]{1,78}$/;
/** X-Ray root ids (what the jobs log as xray_trace_id) or 32-hex trace ids. */
const traceIdPattern = /^(1-[0-9a-f]{8}-[0-9a-f]{24}|[0-9a-f]{32})$/i;

export class ReplayInputError extends Error {
  override name = "ReplayInputError";
}

export function replaySubject(options: { exchange?: string | undefined; trace?: string | undefined }): ReplaySubject {
  if (options.exchange !== undefined && options.trace !== undefined) throw new ReplayInputError("give --exchange or --trace, not both");
  if (options.exchange !== undefined) {
    if (!exchangeIdPattern.test(options.exchange)) throw new ReplayInputError(`--exchange ${JSON.stringify(options.exchange)} is not an exchange id (a decimal number)`);
    return { kind: "exchange", exchangeId: options.exchange };
  }
  if (options.trace !== undefined) {
    // Accept the header form the jobs send (`Root=1-...;Parent=...`) as well as the bare id.
    const traceId = /(?:^|;)\s*Root=([^;]+)/.exec(options.trace)?.[1] ?? options.trace;
    if (!traceIdPattern.test(traceId)) throw new ReplayInputError(`--trace ${JSON.stringify(options.trace)} is not an X-Ray trace id (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx)`);
    return { kind: "trace", traceId: traceId.toLowerCase() };
  }
  throw new ReplayInputError("give --exchange <id> or --trace <id>");
}

export function replayQueries(config: Pick<KitConfig, "stack" | "gcp">, subject: ReplaySubject): ReplayQueries {
  const project = config.gcp.project;
  const names = logPipelineNames(config.stack, config.gcp);
  const logName = `projects/${project}/logs/${names.logId}`;
  const trace = subject.kind === "trace" ? `projects/${project}/traces/${subject.traceId}` : undefined;

  const analyticsWhere =
    subject.kind === "exchange" ? `JSON_VALUE(labels.exchangeId) = '${subject.exchangeId}'` : `trace = '${trace}'`;
  const logAnalytics = [
    `-- Log Analytics: ${subject.kind === "exchange" ? `exchange ${subject.exchangeId}` : `trace ${subject.traceId}`}, stack ${config.stack}, in order`,
    "SELECT",
    "  timestamp,",
    "  severity,",
    "  JSON_VALUE(labels.job) AS job,",
    "  JSON_VALUE(json_payload.toolCall.tool) AS tool,",
    "  JSON_VALUE(json_payload.toolCall.operation) AS operation,",
    "  JSON_VALUE(json_payload.toolCall.outcome) AS outcome,",
    "  JSON_VALUE(labels.exchangeId) AS exchange_id,",
    "  JSON_VALUE(labels.txHash) AS tx_hash,",
    "  trace,",
    "  json_payload",
    `FROM \`${logAnalyticsView({ ...config.gcp, project }, config.stack)}\``,
    `WHERE log_name = '${logName}'`,
    `  AND ${analyticsWhere}`,
    "ORDER BY timestamp, insert_id",
  ].join("\n");

  const bigQueryWhere = subject.kind === "exchange" ? `labels.exchangeId = '${subject.exchangeId}'` : `trace = '${trace}'`;
  const bigQuery = [
    `-- BigQuery: ${subject.kind === "exchange" ? `exchange ${subject.exchangeId}` : `trace ${subject.traceId}`}, stack ${config.stack}, in order`,
    "SELECT",
    "  timestamp,",
    "  severity,",
    "  labels.job AS job,",
    "  JSON_VALUE(TO_JSON_STRING(jsonPayload), '$.toolCall.tool') AS tool,",
    "  JSON_VALUE(TO_JSON_STRING(jsonPayload), '$.toolCall.operation') AS operation,",
    "  JSON_VALUE(TO_JSON_STRING(jsonPayload), '$.toolCall.outcome') AS outcome,",
    "  labels.exchangeId AS exchange_id,",
    "  labels.txHash AS tx_hash,",
    "  trace,",
    "  TO_JSON_STRING(jsonPayload) AS json_payload",
    `FROM \`${bigQueryTable({ ...config.gcp, project }, config.stack)}\``,
    `WHERE ${bigQueryWhere}`,
    "ORDER BY timestamp, insertId",
  ].join("\n");

  return { subject, logAnalytics, bigQuery, gcpProject: project };
}
