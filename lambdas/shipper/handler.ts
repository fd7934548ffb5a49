import type { CloudWatchLogsEvent, Context } from "aws-lambda";
import type { Logger } from "@aws-lambda-powertools/logger";
import * as v from "valibot";
import { environmentVariables } from "../contract";
import { createJobLogger } from "../shared/runtime/logger";
import { withoutReceivedValue } from "../shared/runtime/validation-issues";
import type { RetryPolicy } from "../shared/runtime/retry";
import { cloudLoggingWriter, createLogging, type CloudLoggingClientOptions, type LogTarget } from "./cloud-logging";
import { decodeSubscriptionPayload } from "./decode";
import { toShippableEntry, type ShipperContext } from "./entries";
import { defaultShipRetryPolicy, shipEntries, type BatchLimits, type EntryWriter, type ShipResult } from "./ship";

/**
 * The log shipper (checklist B1, B4, C1): a CloudWatch Logs subscription on
 * each job's log group invokes it with one stream's records; it redacts them
 * again, maps them to Cloud Logging entries and writes them, in order, to the
 * stack's GCP project. On a failure it cannot recover from it throws: the
 * subscription's async invocation is retried by Lambda and then lands in the
 * shipper's DLQ, so no record is dropped silently.
 */

const nonEmpty = v.pipe(v.string(), v.minLength(1));

// valibot, as the jobs' environment check (lambdas/shared/runtime/environment.ts says why).
const externalAccountSchema = v.looseObject({
  type: v.literal("external_account", "must be an external_account credential configuration (WIF), never a key"),
  audience: nonEmpty,
  subject_token_type: nonEmpty,
  token_url: v.pipe(v.string(), v.trim(), v.url()),
  credential_source: v.looseObject({ environment_id: nonEmpty }),
});

/** `path: message`, the message naming what was expected (never the value: see withoutReceivedValue). */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  return `${v.getDotPath(issue) ?? ""}: ${issue.message}`;
}

const shipperEnvironmentSchema = v.object({
  [environmentVariables.gcpProject]: nonEmpty,
  [environmentVariables.gcpLogName]: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.\-/]{1,512}$/)),
  [environmentVariables.gcpCredentialConfig]: v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      let problem: string;
      try {
        const parsed = v.safeParse(externalAccountSchema, JSON.parse(dataset.value), { message: withoutReceivedValue });
        if (parsed.success) return parsed.output;
        problem = parsed.issues.map(describeIssue).join("; ");
      } catch (error) {
        problem = (error as Error).message;
      }
      addIssue({ message: `must be WIF external_account JSON: ${problem}` });
      return NEVER;
    }),
  ),
  [environmentVariables.stack]: nonEmpty,
  [environmentVariables.configId]: nonEmpty,
  AWS_REGION: nonEmpty,
});

export interface ShipperEnvironment {
  readonly target: LogTarget;
  readonly context: ShipperContext;
  readonly credentials: Record<string, unknown>;
}

export function readShipperEnvironment(env: NodeJS.ProcessEnv = process.env): ShipperEnvironment {
  const parsed = v.safeParse(shipperEnvironmentSchema, env, { message: withoutReceivedValue });
  if (!parsed.success) {
    const problems = parsed.issues.map(describeIssue);
    throw new Error(`the shipper's environment is incomplete (infra sets it): ${problems.join("; ")}`);
  }
  const values = parsed.output;
  return {
    target: {
      projectId: values[environmentVariables.gcpProject],
      logName: values[environmentVariables.gcpLogName],
      location: values.AWS_REGION,
      namespace: values[environmentVariables.stack],
    },
    context: {
      gcpProject: values[environmentVariables.gcpProject],
      stack: values[environmentVariables.stack],
      configId: values[environmentVariables.configId],
    },
    credentials: values[environmentVariables.gcpCredentialConfig],
  };
}

export interface ShipperDependencies {
  readonly target: LogTarget;
  readonly context: ShipperContext;
  /** One writer per payload (its job and log stream name the monitored resource). */
  readonly writerFor: (scope: { job: string; taskId: string }) => EntryWriter;
  readonly logger?: Logger;
  readonly limits?: BatchLimits;
  readonly policy?: RetryPolicy;
  readonly random?: () => number;
}

export type ShipperHandler = (
  event: CloudWatchLogsEvent,
  context?: Pick<Context, "getRemainingTimeInMillis">,
) => Promise<ShipResult>;

/** Builds the handler around its dependencies, so tests point it at a local endpoint. */
export function createShipperHandler(dependencies: ShipperDependencies): ShipperHandler {
  return async (event, lambdaContext) => {
    const payload = decodeSubscriptionPayload(event);
    if (payload.messageType === "CONTROL_MESSAGE" || payload.logEvents.length === 0) {
      return { entries: 0, requests: 0, retries: 0, splits: 0 };
    }
    const entries = payload.logEvents.map((logEvent) => toShippableEntry(logEvent, payload, dependencies.context));
    const job = entries[0]?.metadata.labels.job ?? payload.logGroup;
    const writer = dependencies.writerFor({ job, taskId: payload.logStream });
    const redacted = entries.filter((entry) => entry.redacted).length;
    if (redacted > 0) {
      // The job's logger should have caught these; the records ship redacted.
      dependencies.logger?.warn("shipper redacted records a job logged", {
        logGroup: payload.logGroup,
        logStream: payload.logStream,
        redacted,
      });
    }
    // Leave time to fail loudly before the Lambda's own timeout.
    const policy = dependencies.policy ?? defaultShipRetryPolicy;
    const remaining = lambdaContext?.getRemainingTimeInMillis?.();
    const bounded =
      remaining === undefined
        ? policy
        : { ...policy, maxElapsedMs: Math.max(1_000, Math.min(policy.maxElapsedMs, remaining - 5_000)) };
    try {
      const result = await shipEntries(writer, entries, {
        ...(dependencies.limits ? { limits: dependencies.limits } : {}),
        policy: bounded,
        ...(dependencies.random ? { random: dependencies.random } : {}),
        onEvent: (shipEvent) =>
          dependencies.logger?.warn(`shipper ${shipEvent.kind}`, {
            entries: shipEvent.entries,
            attempt: shipEvent.attempt,
            error: shipEvent.error,
          }),
      });
      dependencies.logger?.info("shipped", { logGroup: payload.logGroup, logStream: payload.logStream, ...result });
      return result;
    } catch (error) {
      dependencies.logger?.error(
        "shipping failed; the invocation fails so Lambda retries it and then dead-letters it",
        {
          logGroup: payload.logGroup,
          logStream: payload.logStream,
          error,
        },
      );
      throw error;
    }
  };
}

/** The production wiring: WIF credentials from the environment, Cloud Logging's public endpoint. */
export function createShipperFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  clientOptions: CloudLoggingClientOptions = {},
): ShipperHandler {
  const { target, context, credentials } = readShipperEnvironment(env);
  const logging = createLogging(target.projectId, {
    credentials: credentials as CloudLoggingClientOptions["credentials"],
    ...clientOptions,
  });
  return createShipperHandler({
    target,
    context,
    writerFor: (scope) => cloudLoggingWriter(logging, target, scope),
    logger: createJobLogger("shipper"),
  });
}

let cached: ShipperHandler | undefined;

export const handler = async (event: CloudWatchLogsEvent, context: Context): Promise<void> => {
  cached ??= createShipperFromEnvironment();
  await cached(event, context);
};
