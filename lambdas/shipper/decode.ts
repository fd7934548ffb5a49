import { gunzipSync } from "node:zlib";
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent, CloudWatchLogsLogEvent } from "aws-lambda";

/**
 * Decodes a CloudWatch Logs subscription payload: `awslogs.data` is base64 of
 * gzip of a JSON document naming one log group and one log stream, with its
 * events. A payload that does not decode is an error (the invocation fails and
 * Lambda's retries and DLQ keep it), never an empty batch.
 */

export interface DecodedPayload {
  /** DATA_MESSAGE carries events; CONTROL_MESSAGE is CloudWatch checking that the destination is reachable. */
  readonly messageType: "DATA_MESSAGE" | "CONTROL_MESSAGE";
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  /** In timestamp order; events with equal timestamps keep their order in the payload. */
  readonly logEvents: readonly CloudWatchLogsLogEvent[];
}

export class PayloadDecodeError extends Error {
  override name = "PayloadDecodeError";
}

function isLogEvent(value: unknown): value is CloudWatchLogsLogEvent {
  if (value === null || typeof value !== "object") return false;
  const event = value as Record<string, unknown>;
  return typeof event.id === "string" && typeof event.timestamp === "number" && typeof event.message === "string";
}

export function decodeSubscriptionPayload(event: CloudWatchLogsEvent): DecodedPayload {
  const data = event?.awslogs?.data;
  if (typeof data !== "string" || data.length === 0) {
    throw new PayloadDecodeError("the event has no awslogs.data: not a CloudWatch Logs subscription payload");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(Buffer.from(data, "base64")).toString("utf8"));
  } catch (error) {
    throw new PayloadDecodeError(`awslogs.data is not base64 gzip JSON: ${(error as Error).message}`);
  }
  const document = parsed as Partial<CloudWatchLogsDecodedData> & { messageType?: unknown };
  if (document.messageType !== "DATA_MESSAGE" && document.messageType !== "CONTROL_MESSAGE") {
    throw new PayloadDecodeError(`unknown messageType ${JSON.stringify(document.messageType)}`);
  }
  const events = Array.isArray(document.logEvents) ? document.logEvents : [];
  const malformed = events.findIndex((logEvent) => !isLogEvent(logEvent));
  if (malformed >= 0) throw new PayloadDecodeError(`log event ${malformed} lacks id, timestamp or message`);
  // Stable sort: CloudWatch delivers a stream's events in order already; this
  // makes the order a property of the shipper rather than an assumption.
  const ordered = events
    .map((logEvent, index) => ({ logEvent, index }))
    .sort((a, b) => a.logEvent.timestamp - b.logEvent.timestamp || a.index - b.index)
    .map(({ logEvent }) => logEvent);
  return {
    messageType: document.messageType,
    owner: String(document.owner ?? ""),
    logGroup: String(document.logGroup ?? ""),
    logStream: String(document.logStream ?? ""),
    subscriptionFilters: Array.isArray(document.subscriptionFilters) ? document.subscriptionFilters.map(String) : [],
    logEvents: ordered,
  };
}
