/**
 * A CloudWatch Logs subscription event as Lambda receives it: the
 * subscription document, gzipped and base64-encoded under `awslogs.data`.
 */
import { gzipSync } from "node:zlib";
import type { CloudWatchLogsEvent } from "aws-lambda";

export interface LogEvent {
  id: string;
  timestamp: number;
  message: string;
}

export function subscriptionPayload(
  logEvents: readonly LogEvent[],
  document: { logGroup: string; logStream: string; subscriptionFilters: readonly string[]; messageType?: string },
): CloudWatchLogsEvent {
  const { messageType = "DATA_MESSAGE", logGroup, logStream, subscriptionFilters } = document;
  const body = { messageType, owner: "123456789012", logGroup, logStream, subscriptionFilters, logEvents };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(body))).toString("base64") } };
}

export const toolCallTraceId = "1-5759e988-bd862e3fe1be46a994272793";

/**
 * A job's Powertools record for one tool call, as a log event: every tenth
 * is a WARN with a transient outcome. `extra` adds top-level fields,
 * `toolCall` fields of the tool-call record.
 */
export function toolCallLogEvent(
  index: number,
  options: { start?: number; extra?: Record<string, unknown>; toolCall?: Record<string, unknown> } = {},
): LogEvent {
  const timestamp = (options.start ?? Date.UTC(2026, 10, 28, 12, 0, 0)) + index;
  const record = {
    level: index % 10 === 0 ? "WARN" : "INFO",
    message: "rpc.getExchange",
    timestamp: new Date(timestamp).toISOString(),
    service: "withdraw",
    xray_trace_id: toolCallTraceId,
    sequence: index,
    toolCall: {
      tool: "rpc",
      operation: "getExchange",
      exchangeId: String(1000 + (index % 7)),
      txHash: `0x${index.toString(16).padStart(64, "0")}`,
      durationMs: 12,
      outcome: index % 10 === 0 ? "transient" : "ok",
      ...options.toolCall,
    },
    ...options.extra,
  };
  return { id: `3${String(index).padStart(55, "0")}`, timestamp, message: JSON.stringify(record) };
}
