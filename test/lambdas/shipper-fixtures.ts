import type { CloudWatchLogsEvent } from "aws-lambda";
import type { LogTarget } from "../../lambdas/shipper/cloud-logging";
import {
  subscriptionPayload,
  toolCallLogEvent,
  toolCallTraceId,
  type LogEvent,
} from "../harness/cloudwatch-logs-payload";

/** The staging shipper's target and the payloads the tests feed it. */

export const token = "test-token-7f3a";
export const project = "boson-kit-staging";
export const target: LogTarget = {
  projectId: project,
  logName: "boson-kit-tool-calls",
  location: "eu-west-1",
  namespace: "staging",
};
export const context = { gcpProject: project, stack: "staging", configId: "staging-80002-0" };
export const traceId = toolCallTraceId;
export const fastRetries = { maxAttempts: 4, maxElapsedMs: 5_000, baseDelayMs: 5, maxDelayMs: 20 };

export function payload(
  events: readonly LogEvent[],
  messageType = "DATA_MESSAGE",
  logStream = "2026/11/28/[$LATEST]abc",
): CloudWatchLogsEvent {
  return subscriptionPayload(events, {
    messageType,
    logGroup: "/aws/lambda/boson-kit-staging-withdraw",
    logStream,
    subscriptionFilters: ["boson-kit-withdraw-to-gcp"],
  });
}

export const start = Date.UTC(2026, 10, 28, 12, 0, 0);

export const toolCallEvent = (index: number, extra: Record<string, unknown> = {}): LogEvent =>
  toolCallLogEvent(index, { start, extra });

export function events(count: number): LogEvent[] {
  return Array.from({ length: count }, (_, index) => toolCallEvent(index));
}

/** The staging shipper's workload identity: the pool provider's audience and the service account it impersonates. */
export const wifAudience =
  "//iam.googleapis.com/projects/100000000001/locations/global/workloadIdentityPools/boson-kit-staging/providers/aws-shipper";
export const wifServiceAccountEmail = "boson-shipper-staging@boson-kit-staging.iam.gserviceaccount.com";
/** Fake session credentials of the kind Lambda puts in the environment (never real: ASIA + filler). */
export const fakeAwsSessionEnvironment = {
  AWS_ACCESS_KEY_ID: "ASIAFAKEFAKEFAKEFAKE",
  AWS_SECRET_ACCESS_KEY: "fake-secret-access-key-for-signing-only",
  AWS_SESSION_TOKEN: "fake-session-token",
  AWS_REGION: "eu-west-1",
};
