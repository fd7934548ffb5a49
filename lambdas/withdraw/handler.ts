import type { Context } from "aws-lambda";
import type { Address } from "viem";
import { createIdempotentRunner } from "../shared/stores/idempotency";
import { senderStateStoreFor } from "../shared/stores/sender-state";
import { lifecyclePolicy } from "../shared/chain/lifecycle/policy";
import { loadJobRuntime, startInvocation } from "../shared/runtime/job-runtime";
import { runJob } from "../shared/runtime/run-job";
import { withdrawJob, type WithdrawOutcome } from "./withdraw";

/** Scheduled entry point: a thin adapter from the Lambda environment to the withdraw job. */
export async function handler(_event: unknown, context?: Context): Promise<WithdrawOutcome> {
  const runtime = await loadJobRuntime("withdraw");
  const { env, logger, metrics, write } = runtime;
  startInvocation(logger, context);
  if (!write) throw new Error("the withdraw job signs withdrawals: KEY_ID must be set");
  if (!env.IDEMPOTENCY_TABLE) throw new Error("the withdraw job writes idempotently: IDEMPOTENCY_TABLE must be set");
  return runJob(withdrawJob, {
    config: {
      diamond: env.PROTOCOL_DIAMOND as Address,
      sellerId: BigInt(env.SELLER_ID),
      // The native coin is viem's zeroAddress in the protocol's token lists, as configured.
      tokens: env.SELLER_TOKENS.map((token) => ({
        address: token.address as Address,
        symbol: token.symbol,
        withdrawThresholdWei: BigInt(token.withdrawThresholdWei),
        reserveMarginWei: BigInt(token.reserveMarginWei ?? "0"),
      })),
      confirmations: env.CONFIRMATIONS,
      windowSeconds: env.WITHDRAW_WINDOW_SECONDS ?? 3600,
      expectedSeller: { treasury: env.SELLER_TREASURY as Address, admin: env.SELLER_ADMIN as Address },
      ...(env.SIGNER_ROTATION_ADDRESS ? { rotationAddress: env.SIGNER_ROTATION_ADDRESS as Address } : {}),
      escrow: { batchSize: env.ESCROW_BATCH_SIZE ?? 20, maxPerRun: env.ESCROW_MAX_PER_RUN ?? 200 },
    },
    subgraph: { url: env.SUBGRAPH_URL, logger },
    clients: write,
    logger,
    metrics,
    idempotent: createIdempotentRunner({
      tableName: env.IDEMPOTENCY_TABLE,
      logger,
      keyPrefix: `withdraw.${env.CONFIG_ID}`,
      ...(context ? { lambdaContext: context } : {}),
    }),
    ...(runtime.relayer ? { relayer: runtime.relayer } : {}),
    ...(runtime.standbyFence ? { standbyFence: runtime.standbyFence } : {}),
    lifecycle: { store: senderStateStoreFor(env.IDEMPOTENCY_TABLE), policy: lifecyclePolicy(env.TX_LIFECYCLE) },
    requestId: context?.awsRequestId ?? `withdraw-${Date.now()}`,
  });
}
