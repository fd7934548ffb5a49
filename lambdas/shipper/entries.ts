import type { CloudWatchLogsLogEvent } from "aws-lambda";
import { redact, redactString } from "../shared/runtime/redact";
import type { DecodedPayload } from "./decode";
import { jobOfLogGroup } from "./job-name";

/**
 * Turns one CloudWatch log event (a Powertools JSON record from a job) into a
 * Cloud Logging entry: the record's JSON, redacted again, as `jsonPayload`;
 * its timestamp and severity; the X-Ray trace id as the entry's `trace`; and
 * labels to search and replay by (stack, configId, job, exchangeId, txHash).
 */

/** Cloud Logging severities (google.logging.type.LogSeverity names). */
export type Severity =
  "DEFAULT" | "DEBUG" | "INFO" | "NOTICE" | "WARNING" | "ERROR" | "CRITICAL" | "ALERT" | "EMERGENCY";

/** Label keys the shipper sets; the replay tool and the log-based metrics query by them. */
export const entryLabels = {
  stack: "stack",
  configId: "configId",
  job: "job",
  exchangeId: "exchangeId",
  txHash: "txHash",
  requestId: "requestId",
  /** "true" when the shipper's redaction changed the record: a job logged something it should not have. */
  redacted: "redacted",
} as const;

export interface ShipperContext {
  /** GCP project id: the `trace` field names it. */
  readonly gcpProject: string;
  readonly stack: string;
  readonly configId: string;
}

/** The LogEntry fields the shipper sets, in the shape `@google-cloud/logging`'s Entry takes. */
export interface EntryMetadata {
  readonly timestamp: Date;
  readonly severity: Severity;
  readonly insertId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly trace?: string;
}

export interface ShippableEntry {
  readonly metadata: EntryMetadata;
  /** The record's JSON (an object), or the line's text when it is not JSON. */
  readonly payload: Readonly<Record<string, unknown>> | string;
  /** A fair estimate of the entry's size on the wire, for batching. */
  readonly bytes: number;
  /** The CloudWatch event's timestamp (ms): the order within a stream. */
  readonly sourceTimestamp: number;
  readonly redacted: boolean;
}

/**
 * Cloud Logging refuses entries above 256 KiB; the shipper cuts a payload
 * well below that (and says so in the entry) rather than lose the record.
 */
export const maxEntryBytes = 200 * 1024;

const severityByLevel: Readonly<Record<string, Severity>> = {
  TRACE: "DEBUG",
  DEBUG: "DEBUG",
  INFO: "INFO",
  NOTICE: "NOTICE",
  WARN: "WARNING",
  WARNING: "WARNING",
  ERROR: "ERROR",
  CRITICAL: "CRITICAL",
  FATAL: "CRITICAL",
  ALERT: "ALERT",
  EMERGENCY: "EMERGENCY",
};

export function severityOf(level: unknown): Severity {
  return typeof level === "string" ? (severityByLevel[level.toUpperCase()] ?? "DEFAULT") : "DEFAULT";
}

/** X-Ray root ids (`1-5759e988-bd862e3fe1be46a994272793`) and W3C/Cloud Trace ids (32 hex). */
const traceIdPattern = /^(1-[0-9a-f]{8}-[0-9a-f]{24}|[0-9a-f]{32})$/i;

export function traceName(gcpProject: string, traceId: unknown): string | undefined {
  if (typeof traceId !== "string" || !traceIdPattern.test(traceId)) return undefined;
  return `projects/${gcpProject}/traces/${traceId.toLowerCase()}`;
}

function stringField(record: Readonly<Record<string, unknown>> | undefined, key: string): string | undefined {
  const value = record?.[key];
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return undefined;
}

function objectField(
  record: Readonly<Record<string, unknown>>,
  key: string,
): Readonly<Record<string, unknown>> | undefined {
  const value = record[key];
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function parseRecord(message: string): Readonly<Record<string, unknown>> | string {
  const text = message.trimEnd();
  if (text.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Not JSON after all (a truncated or plain line): shipped as text.
    }
  }
  return text;
}

function parseTimestamp(value: unknown, fallbackMs: number): Date {
  if (typeof value === "string" || typeof value === "number") {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return new Date(fallbackMs);
}

/** Keeps an oversized record as a marked, cut-down payload instead of letting Cloud Logging refuse it. */
function cutDown(
  payload: Readonly<Record<string, unknown>> | string,
  bytes: number,
): Readonly<Record<string, unknown>> {
  const text = typeof payload === "string" ? payload : JSON.stringify(payload);
  const keep =
    typeof payload === "string"
      ? {}
      : Object.fromEntries(
          ["level", "message", "timestamp", "service", "xray_trace_id", "toolCall"].flatMap((key) =>
            payload[key] === undefined ? [] : [[key, payload[key]]],
          ),
        );
  return { ...keep, truncated: { originalBytes: bytes, head: text.slice(0, maxEntryBytes / 2) } };
}

/** Builds the Cloud Logging entry for one log event; never throws on a record's content. */
export function toShippableEntry(
  event: CloudWatchLogsLogEvent,
  source: DecodedPayload,
  context: ShipperContext,
): ShippableEntry {
  const parsed = parseRecord(event.message);
  let payload: Readonly<Record<string, unknown>> | string;
  let redacted: boolean;
  if (typeof parsed === "string") {
    payload = redactString(parsed);
    redacted = payload !== parsed;
  } else {
    payload = redact(parsed) as Record<string, unknown>;
    redacted = JSON.stringify(payload) !== JSON.stringify(parsed);
  }
  const record = typeof payload === "string" ? undefined : payload;
  const toolCall = record ? objectField(record, "toolCall") : undefined;

  const labels: Record<string, string> = {
    [entryLabels.stack]: context.stack,
    [entryLabels.configId]: context.configId,
    [entryLabels.job]: stringField(record, "service") ?? jobOfLogGroup(source.logGroup),
  };
  const exchangeId = stringField(toolCall, "exchangeId") ?? stringField(record, "exchangeId");
  const txHash = stringField(toolCall, "txHash") ?? stringField(record, "txHash");
  const requestId = stringField(toolCall, "requestId");
  if (exchangeId) labels[entryLabels.exchangeId] = exchangeId;
  if (txHash) labels[entryLabels.txHash] = txHash;
  if (requestId) labels[entryLabels.requestId] = requestId;
  if (redacted) labels[entryLabels.redacted] = "true";

  const trace = traceName(context.gcpProject, record?.xray_trace_id);
  let bytes = (typeof payload === "string" ? payload.length : event.message.length) + 256;
  if (bytes > maxEntryBytes) {
    payload = cutDown(payload, bytes);
    bytes = JSON.stringify(payload).length + 256;
  }
  return {
    metadata: {
      timestamp: parseTimestamp(record?.timestamp, event.timestamp),
      severity: severityOf(record?.level),
      // CloudWatch's event id is unique per event: a re-delivered payload
      // writes the same insertId, which Cloud Logging deduplicates.
      insertId: event.id,
      labels,
      ...(trace ? { trace } : {}),
    },
    payload,
    bytes,
    sourceTimestamp: event.timestamp,
    redacted,
  };
}
