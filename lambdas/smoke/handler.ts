import type { Context } from "aws-lambda";
import type { Address } from "viem";
import { createIdempotentRunner } from "../shared/stores/idempotency";
import { senderStateStoreFor } from "../shared/stores/sender-state";
import { lifecyclePolicy } from "../shared/chain/lifecycle/policy";
import { loadJobRuntime, startInvocation } from "../shared/runtime/job-runtime";
import { runSmoke, type SmokeOutcome } from "./smoke";

/** Release entry point: a thin adapter from the Lambda environment to runSmoke. */
export async function handler(_event: unknown, context?: Context): Promise<SmokeOutcome> {
  const runtime = await loadJobRuntime("smoke");
  const { env, logger, metrics, write } = runtime;
  startInvocation(logger, context);
  if (!write) throw new Error("the smoke job signs: KEY_ID must be set");
  if (!env.IDEMPOTENCY_TABLE) throw new Error("the smoke job writes idempotently: IDEMPOTENCY_TABLE must be set");
  if (!env.SMOKE_OFFER_ID) throw new Error("the smoke job needs its known test offer: SMOKE_OFFER_ID must be set");
  return runSmoke({
    config: {
      diamond: env.PROTOCOL_DIAMOND as Address,
      offerId: BigInt(env.SMOKE_OFFER_ID),
      confirmations: env.CONFIRMATIONS,
      buyerPercent: BigInt(env.SMOKE_BUYER_PERCENT ?? 5000),
    },
    clients: write,
    subgraph: { url: env.SUBGRAPH_URL, logger },
    logger,
    metrics,
    idempotent: createIdempotentRunner({ tableName: env.IDEMPOTENCY_TABLE, logger, keyPrefix: `smoke.${env.CONFIG_ID}`, ...(context ? { lambdaContext: context } : {}) }),
    ...(runtime.relayer ? { relayer: runtime.relayer } : {}),
    lifecycle: { store: senderStateStoreFor(env.IDEMPOTENCY_TABLE), policy: lifecyclePolicy(env.TX_LIFECYCLE) },
    requestId: context?.awsRequestId ?? `smoke-${Date.now()}`,
  });
}
