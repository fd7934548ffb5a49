/**
 * The primary stack's side of the standby fence, as the runtime builds it for
 * the jobs that sign: before each run, a look in the replica's region for the
 * alias the standby stack declares while it is switched on. Found: the run
 * signs nothing (a transient outcome, reason `standby-active`, and a metric
 * with an alarm). Not found, or the region unreachable: the run goes on.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { KMSClient } from "@aws-sdk/client-kms";
import { metricNames } from "../../contract/metrics-catalog";
import { standbyFenceAliasArn } from "../../contract/standby-fence";
import { StandbyActiveError } from "../kms-account/errors";
import { readStandbyFence, type StandbyFenceReading } from "../kms-account/standby-fence";
import { replicaKmsClient } from "../kms-account/failover";
import type { RetryPolicy } from "./retry";
import { logToolCall } from "./logger";
import type { JobMetrics } from "./metrics";

export type StandbyFence = {
  /** Throws StandbyActiveError when the standby is switched on. */
  check(): Promise<void>;
};

export function standbyFence(parameters: {
  replicaKeyArn: string;
  aliasName: string;
  logger: Logger;
  metrics: JobMetrics;
  /** Defaults to the client the failover signs with in the replica's region. */
  client?: KMSClient;
  retryPolicy?: RetryPolicy;
}): StandbyFence {
  const { replicaKeyArn, aliasName, logger, metrics } = parameters;
  const aliasArn = standbyFenceAliasArn(replicaKeyArn, aliasName);
  const client = parameters.client ?? replicaKmsClient(replicaKeyArn);
  return {
    async check() {
      const started = performance.now();
      const record = { tool: "kms", operation: "standbyFence.describeKey" } as const;
      const elapsed = () => Math.round(performance.now() - started);
      let reading: StandbyFenceReading;
      try {
        reading = await readStandbyFence({
          client,
          aliasArn,
          ...(parameters.retryPolicy ? { retryPolicy: parameters.retryPolicy } : {}),
        });
      } catch (error) {
        logToolCall(logger, { ...record, durationMs: elapsed(), outcome: "failed", error, details: { aliasArn } });
        throw error;
      }
      logToolCall(logger, {
        ...record,
        durationMs: elapsed(),
        // Unreachable: a standby in a region that is down cannot send, so the run goes on, on the record.
        outcome: reading.state === "unreachable" ? "transient" : "ok",
        details: {
          aliasArn,
          state: reading.state,
          ...(reading.state === "unreachable" ? { reason: reading.reason } : {}),
        },
      });
      if (reading.state === "standby-active") {
        metrics.add(metricNames.standbyActive, 1);
        throw new StandbyActiveError(aliasArn);
      }
    },
  };
}
