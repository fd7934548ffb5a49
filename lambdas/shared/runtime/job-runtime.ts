/**
 * Wiring shared by the job handlers: the environment, logger, metrics, RPC
 * secret, chain clients, KMS account and idempotency store are built once per
 * cold start; each job's logic is a plain function taking them as
 * dependencies (so tests drive the real logic against local peers).
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { IdempotencyAlreadyInProgressError } from "@aws-lambda-powertools/idempotency";
import { createReadClients, createWriteClients, type ReadClients, type WriteClients } from "../chain/clients";
import { readJobEnvironment, type JobEnvironment } from "../../contract/environment";
import { NotFinalError } from "../chain/finality";
import { signerAccount } from "./signer-account";
import { createJobLogger } from "./logger";
import { createJobMetrics, type JobMetrics } from "./metrics";
import { metricNames, type JobName } from "../../contract/metrics-catalog";
import { RegionPausedError } from "../chain/paused-regions";
import { relayerFor, type Relayer } from "../chain/relayer";
import { ProtocolRevertError } from "../chain/revert";
import { readRpcSecret } from "../chain/rpc-secret";

export type JobStatus = "succeeded" | "transient" | "failed";

export type JobOutcome = {
  status: JobStatus;
  /** Why, in a word or two: "region-paused", "in-progress", "reorged", "below-threshold", ... */
  reason?: string;
  /** A decoded revert or error summary, when the run failed. */
  error?: unknown;
};

/** Transient failures are retried by the next scheduled run; they raise a metric, not a page. */
export function isTransient(error: unknown): boolean {
  return error instanceof RegionPausedError || error instanceof NotFinalError || error instanceof IdempotencyAlreadyInProgressError;
}

export function transientReason(error: unknown): string {
  if (error instanceof RegionPausedError) return "region-paused";
  if (error instanceof NotFinalError) return error.result.status === "dropped" ? "reorged" : "not-final";
  if (error instanceof IdempotencyAlreadyInProgressError) return "in-progress";
  return "transient";
}

/** A loggable summary of an error: the decoded revert for protocol reverts, name and first line otherwise. */
export function errorSummary(error: unknown): Record<string, unknown> {
  if (error instanceof ProtocolRevertError) return error.toJSON();
  if (error instanceof Error) {
    const shortMessage = (error as Error & { shortMessage?: unknown }).shortMessage;
    return { name: error.name, message: typeof shortMessage === "string" ? shortMessage : (error.message.split("\n")[0] ?? "") };
  }
  return { message: String(error) };
}

/** The outcome of a run that threw. */
export function outcomeOfError(error: unknown): JobOutcome {
  if (isTransient(error)) return { status: "transient", reason: transientReason(error), error: errorSummary(error) };
  return { status: "failed", reason: error instanceof ProtocolRevertError ? "reverted" : "error", error: errorSummary(error) };
}

/** Emits the run's outcome metric, logs it, and flushes the metrics (one EMF record). */
export function finishRun<T extends JobOutcome>(job: JobName, metrics: JobMetrics, logger: Logger, outcome: T): T {
  const metric = outcome.status === "succeeded" ? metricNames.jobSucceeded : outcome.status === "transient" ? metricNames.jobTransient : metricNames.jobFailed;
  metrics.add(metric, 1);
  const message = `${job} run ${outcome.status}`;
  if (outcome.status === "succeeded") logger.info(message, { outcome });
  else if (outcome.status === "transient") logger.warn(message, { outcome });
  else logger.error(message, { outcome });
  metrics.flush();
  return outcome;
}

export type JobRuntime = {
  env: JobEnvironment;
  logger: Logger;
  metrics: JobMetrics;
  read: ReadClients;
  /** Present when KEY_ID is set: the wallet signs through KMS. */
  write?: WriteClients;
  relayer?: Relayer;
};

const runtimes = new Map<JobName, Promise<JobRuntime>>();

/** Builds (once per process) everything a job needs from its environment. */
export function loadJobRuntime(job: JobName, env: NodeJS.ProcessEnv = process.env): Promise<JobRuntime> {
  let pending = runtimes.get(job);
  if (!pending) {
    pending = buildRuntime(job, env);
    runtimes.set(job, pending);
    pending.catch(() => runtimes.delete(job));
  }
  return pending;
}

async function buildRuntime(job: JobName, processEnv: NodeJS.ProcessEnv): Promise<JobRuntime> {
  const env = readJobEnvironment(processEnv);
  const logger = createJobLogger(job, { configId: env.CONFIG_ID, stack: env.KIT_STACK });
  const metrics = createJobMetrics(job, env.KIT_STACK);
  const urls = await readRpcSecret({ secretArn: env.RPC_SECRET_ARN, logger });
  const clientOptions = { chainId: env.CHAIN_ID, urls, logger };
  const relayer = env.RELAYER ? relayerFor(env.RELAYER) : undefined;
  if (env.KEY_ID === undefined) return { env, logger, metrics, read: createReadClients(clientOptions), ...(relayer ? { relayer } : {}) };
  const account = await signerAccount({
    keyId: env.KEY_ID,
    replicaKeyArn: env.REPLICA_KEY_ARN,
    pinnedAddress: env.SIGNER_PINNED_ADDRESS as `0x${string}` | undefined, // checked as an address by readJobEnvironment
    logger,
    metrics,
  });
  const write = createWriteClients({ ...clientOptions, account });
  return { env, logger, metrics, read: write, write, ...(relayer ? { relayer } : {}) };
}

/** Adds the invocation's request id to the logger for this run. */
export function startInvocation(logger: Logger, context: Context | undefined): void {
  if (context) logger.addContext(context);
}
