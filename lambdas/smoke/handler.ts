import type { Context } from "aws-lambda";
import type { Address } from "viem";
import { createIdempotentRunner } from "../shared/stores/idempotency";
import { senderStateStoreFor } from "../shared/stores/sender-state";
import { lifecyclePolicy } from "../shared/chain/lifecycle/policy";
import { loadJobRuntime, startInvocation } from "../shared/runtime/job-runtime";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SmokeReleaseRecord } from "../contract/release";
import { runJob } from "../shared/runtime/run-job";
import { smokeReleaseRecord, storeSmokeReleaseRecord } from "./release-record";
import { smokeJob, type SmokeExchangeToken, type SmokeOutcome } from "./smoke";

let documents: DynamoDBDocumentClient | undefined;

/**
 * Release entry point: a thin adapter from the Lambda environment to the
 * smoke job. It returns the outcome with the release record, and stores the
 * record where the promotion gate reads it (when infra gave it a table).
 */
export async function handler(
  _event: unknown,
  context?: Context,
): Promise<SmokeOutcome & { releaseRecord?: SmokeReleaseRecord }> {
  const runtime = await loadJobRuntime("smoke");
  const { env, logger, metrics, write } = runtime;
  startInvocation(logger, context);
  if (!write) throw new Error("the smoke job signs: KEY_ID must be set");
  if (!env.IDEMPOTENCY_TABLE) throw new Error("the smoke job writes idempotently: IDEMPOTENCY_TABLE must be set");
  if (!env.SMOKE_OFFER_ID) throw new Error("the smoke job needs its known test offer: SMOKE_OFFER_ID must be set");
  if (!env.SMOKE_EXCHANGE_TOKEN)
    throw new Error(
      "the smoke job checks how its offer is paid: SMOKE_EXCHANGE_TOKEN must be set (free, native or 0x...)",
    );
  const startedAt = new Date();
  const outcome = await runJob(smokeJob, {
    config: {
      diamond: env.PROTOCOL_DIAMOND as Address,
      offerId: BigInt(env.SMOKE_OFFER_ID),
      exchangeToken: env.SMOKE_EXCHANGE_TOKEN as SmokeExchangeToken,
      confirmations: env.CONFIRMATIONS,
      buyerPercent: BigInt(env.SMOKE_BUYER_PERCENT ?? 5000),
    },
    clients: write,
    subgraph: { url: env.SUBGRAPH_URL, logger },
    logger,
    metrics,
    idempotent: createIdempotentRunner({
      tableName: env.IDEMPOTENCY_TABLE,
      logger,
      keyPrefix: `smoke.${env.CONFIG_ID}`,
      ...(context ? { lambdaContext: context } : {}),
    }),
    ...(runtime.relayer ? { relayer: runtime.relayer } : {}),
    ...(runtime.standbyFence ? { standbyFence: runtime.standbyFence } : {}),
    lifecycle: { store: senderStateStoreFor(env.IDEMPOTENCY_TABLE), policy: lifecyclePolicy(env.TX_LIFECYCLE) },
    requestId: context?.awsRequestId ?? `smoke-${Date.now()}`,
  });
  if (!env.KIT_RELEASE) return outcome;
  const releaseRecord = smokeReleaseRecord({
    stack: env.KIT_STACK,
    configId: env.CONFIG_ID,
    release: env.KIT_RELEASE,
    outcome,
    startedAt,
    finishedAt: new Date(),
  });
  if (env.RELEASE_RECORDS_TABLE) {
    documents ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
    await storeSmokeReleaseRecord(documents, env.RELEASE_RECORDS_TABLE, releaseRecord);
  }
  return { ...outcome, releaseRecord };
}
