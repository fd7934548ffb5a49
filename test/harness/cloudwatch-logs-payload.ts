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
