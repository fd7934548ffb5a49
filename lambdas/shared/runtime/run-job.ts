/**
 * The one place a job run is reported, as Powertools publishes metrics at the
 * handler boundary: the job's own function only computes its outcome; this
 * counts the RPC fallback's answers, records the outcome metric, logs the
 * outcome, flushes the run's metrics (one EMF record) and returns the outcome.
 * A job that throws gets the outcome of its error, so every run is counted.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { RpcUsage } from "../chain/clients";
import { metricNames, type JobName } from "../../contract";
import type { JobMetrics } from "./metrics";
import type { StandbyFence } from "./standby-fence";
import { outcomeOfError, type JobOutcome } from "./outcome";

export interface Job<Deps, Outcome extends JobOutcome> {
  readonly name: JobName;
  /** Computes the run's outcome; reports nothing about the run as a whole. */
  readonly run: (deps: Deps) => Promise<Outcome>;
  /** The job's outcome for a run that threw, from the error's outcome (the job adds its empty fields). */
  readonly failed: (outcome: JobOutcome, deps: Deps) => Outcome;
}

/** What the wrapper needs from a job's dependencies. */
export type JobReporting = {
  logger: Logger;
  metrics: JobMetrics;
  /** The chain clients' request counters, when the job reads the chain. */
  clients?: { usage: RpcUsage };
  /** The jobs that sign, on a stack with a replica: looked at before the run, which it may stop (standby-active). */
  standbyFence?: StandbyFence;
};

const outcomeMetric = {
  succeeded: metricNames.jobSucceeded,
  transient: metricNames.jobTransient,
  failed: metricNames.jobFailed,
} as const;

export async function runJob<Deps extends JobReporting, Outcome extends JobOutcome>(
  job: Job<Deps, Outcome>,
  deps: Deps,
): Promise<Outcome> {
  const { logger, metrics } = deps;
  const fallbackBefore = deps.clients?.usage.answered.fallback ?? 0;
  let outcome: Outcome;
  try {
    await deps.standbyFence?.check();
    outcome = await job.run(deps);
  } catch (error) {
    outcome = job.failed(outcomeOfError(error), deps);
  }
  const fallbackAnswers = (deps.clients?.usage.answered.fallback ?? 0) - fallbackBefore;
  if (fallbackAnswers > 0) metrics.add(metricNames.rpcFallbackUsed, fallbackAnswers);
  metrics.add(outcomeMetric[outcome.status], 1);
  const message = `${job.name} run ${outcome.status}`;
  if (outcome.status === "succeeded") logger.info(message, { outcome });
  else if (outcome.status === "transient") logger.warn(message, { outcome });
  else logger.error(message, { outcome });
  metrics.flush();
  return outcome;
}
