/**
 * The job's KMS account as the runtime builds it once per cold start: signing
 * metrics, the failover to the key's replica (a tool-call record and a
 * metric), and the pinned-address check before anything is signed.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Address } from "viem";
import { kmsAccount, type KmsAccount, type KmsAccountOptions } from "../kms-account/account";
import { assertPinnedAddress, SignerAddressMismatchError } from "../kms-account/pinned-address";
import { metricNames } from "../../contract/metrics-catalog";
import { logToolCall } from "./logger";
import type { JobMetrics } from "./metrics";

export type SignerAccountParameters = {
  keyId: string;
  replicaKeyArn?: string | undefined;
  pinnedAddress?: Address | undefined;
  logger: Logger;
  metrics: JobMetrics;
  /** Tests: the clients of local KMS endpoints. */
  clients?: { primary?: KmsAccountOptions["client"]; replica?: KmsAccountOptions["client"] };
};

export async function signerAccount(parameters: SignerAccountParameters): Promise<KmsAccount> {
  const { keyId, replicaKeyArn, pinnedAddress, logger, metrics, clients = {} } = parameters;
  const account = await kmsAccount({
    keyId,
    ...(clients.primary ? { client: clients.primary } : {}),
    ...(replicaKeyArn
      ? { replica: { keyId: replicaKeyArn, ...(clients.replica ? { client: clients.replica } : {}) } }
      : {}),
    onSignature: (metric) => {
      metrics.add(metricNames.kmsSignLatencyMs, metric.durationMs, "Milliseconds");
      metrics.add(metricNames.kmsSignAttempts, metric.attempts);
      if (metric.throttles > 0) metrics.add(metricNames.kmsThrottled, metric.throttles);
    },
    onFailover: (event) => {
      if (event.direction === "failover") metrics.add(metricNames.kmsRegionFailover, 1);
      logToolCall(logger, {
        tool: "kms",
        operation: event.direction === "failover" ? "failover.toReplica" : "failover.backToPrimary",
        durationMs: Math.round(event.elapsedMs ?? 0),
        outcome: event.direction === "failover" ? "transient" : "ok",
        details: {
          keyId: event.keyId,
          replicaKeyId: event.replicaKeyId,
          ...(event.reason ? { reason: event.reason } : {}),
        },
      });
    },
  });
  try {
    assertPinnedAddress(keyId, account.address, pinnedAddress);
  } catch (error) {
    if (error instanceof SignerAddressMismatchError) {
      // Flushed now: the runtime is never built, so no run would publish it.
      metrics.add(metricNames.signerAddressMismatch, 1);
      metrics.flush();
      logger.error("signer address mismatch: refusing to sign", { keyId, actual: error.actual, pinned: error.pinned });
    }
    throw error;
  }
  return account;
}
