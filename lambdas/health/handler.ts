import type { Context } from "aws-lambda";
import type { Address } from "viem";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { loadJobRuntime, startInvocation } from "../shared/runtime/job-runtime";
import { runJob } from "../shared/runtime/run-job";
import { createBusinessTally } from "../shared/stores/business-tally";
import { healthJob, type HealthOutcome } from "./health";

/** Scheduled entry point: a thin adapter from the Lambda environment to the health job. */
export async function handler(_event: unknown, context?: Context): Promise<HealthOutcome> {
  const runtime = await loadJobRuntime("health");
  const { env, logger, metrics } = runtime;
  startInvocation(logger, context);
  const signer = runtime.write?.account.address ?? env.SIGNER_ADDRESS;
  if (!signer) throw new Error("the health job watches the signer's gas: set KEY_ID (or SIGNER_ADDRESS)");
  if (env.EVENTS_TABLE === undefined)
    throw new Error("the health job reads the watcher's business counters: set EVENTS_TABLE");
  if (env.GAS_ALERT_RATIOS === undefined)
    throw new Error("the health job needs the stack's gas.alertRatios: set GAS_ALERT_RATIOS");
  return runJob(healthJob, {
    config: {
      diamond: env.PROTOCOL_DIAMOND as Address,
      sellerId: BigInt(env.SELLER_ID),
      tokens: env.SELLER_TOKENS.map((token) => ({ address: token.address as Address, symbol: token.symbol })),
      signer: signer as Address,
      ...(env.SIGNER_ROTATION_ADDRESS ? { rotationSigner: env.SIGNER_ROTATION_ADDRESS as Address } : {}),
      expectedDailyBurnWei: BigInt(env.EXPECTED_DAILY_BURN_WEI),
      subgraphMaxLagBlocks: env.SUBGRAPH_MAX_LAG_BLOCKS,
      gasAlertRatios: env.GAS_ALERT_RATIOS,
    },
    clients: runtime.read,
    subgraph: { url: env.SUBGRAPH_URL, logger },
    tally: createBusinessTally(DynamoDBDocumentClient.from(new DynamoDBClient({})), env.EVENTS_TABLE, env.SELLER_ID),
    logger,
    metrics,
    requestId: context?.awsRequestId ?? `health-${Date.now()}`,
  });
}
