/** What a job run ends with, and how a thrown error maps to it. */
import { NotFinalError } from "../chain/finality";
import { RegionPausedError } from "../chain/paused-regions";
import { ProtocolRevertError } from "../chain/revert";
import { CheckpointConflictError } from "../stores/checkpoints";
import { StandbyActiveError } from "../kms-account/errors";

export type JobStatus = "succeeded" | "transient" | "failed";

export type JobOutcome = {
  status: JobStatus;
  /** Why, in a word or two: "region-paused", "in-progress", "reorged", "below-threshold", ... */
  reason?: string;
  /** A decoded revert or error summary, when the run failed. */
  error?: unknown;
};

/**
 * Powertools Idempotency's "another invocation holds this key" error, known
 * by the name its class sets: importing the class would bundle Powertools
 * Idempotency and its JMESPath engine into the jobs that never use it (health,
 * watcher), at every cold start. A test checks the real class matches.
 */
function isIdempotencyInProgress(error: unknown): boolean {
  return error instanceof Error && error.name === "IdempotencyAlreadyInProgressError";
}

/** Transient failures are retried by the next scheduled run; they raise a metric, not a page. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof RegionPausedError ||
    error instanceof NotFinalError ||
    isIdempotencyInProgress(error) ||
    error instanceof CheckpointConflictError ||
    error instanceof StandbyActiveError
  );
}

export function transientReason(error: unknown): string {
  if (error instanceof RegionPausedError) return "region-paused";
  if (error instanceof NotFinalError) return error.result.status === "dropped" ? "reorged" : "not-final";
  if (isIdempotencyInProgress(error)) return "in-progress";
  // Another run moved the checkpoint first: it carries on, this one is superseded.
  if (error instanceof CheckpointConflictError) return "overtaken";
  // The standby stack signs for now: this run stood down, the next one looks again.
  if (error instanceof StandbyActiveError) return "standby-active";
  return "transient";
}

/** A loggable summary of an error: the decoded revert for protocol reverts, name and first line otherwise. */
export function errorSummary(error: unknown): Record<string, unknown> {
  if (error instanceof ProtocolRevertError) return error.toJSON();
  if (error instanceof Error) {
    const shortMessage = (error as Error & { shortMessage?: unknown }).shortMessage;
    return {
      name: error.name,
      message: typeof shortMessage === "string" ? shortMessage : (error.message.split("\n")[0] ?? ""),
    };
  }
  return { message: String(error) };
}

/** The outcome of a run that threw. */
export function outcomeOfError(error: unknown): JobOutcome {
  if (isTransient(error)) return { status: "transient", reason: transientReason(error), error: errorSummary(error) };
  return {
    status: "failed",
    reason: error instanceof ProtocolRevertError ? "reverted" : "error",
    error: errorSummary(error),
  };
}
