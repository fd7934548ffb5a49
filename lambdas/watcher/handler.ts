import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { getAddress } from "viem";
import { createCheckpointStore, type CheckpointStore } from "../shared/stores/checkpoints";
import type { JobEnvironment } from "../shared/runtime/environment";
import { createEventStore, type EventStore } from "../shared/stores/events";
import { loadJobRuntime, startInvocation } from "../shared/runtime/job-runtime";
import { runJob } from "../shared/runtime/run-job";
import { sharedSecretsClient } from "../shared/runtime/secrets-client";
import { traceHeaders } from "../shared/runtime/trace";
import { createWebhookSecretReader } from "../shared/webhooks/signing-secret";
import { createWebhookSender } from "../shared/webhooks/delivery";
import { createAlertLedger, type AlertLedger } from "../shared/stores/alert-ledger";
import { createSellerRecords, type SellerRecords } from "./seller-records";
import { createBusinessTally, type BusinessTally } from "../shared/stores/business-tally";
import { watcherJob, type WatcherOutcome } from "./job";
import type { WatcherConfig } from "./watcher";

/**
 * The watcher Lambda: a thin adapter over the watcher job. The shared job
 * runtime builds the environment, logger, metrics and chain clients (RPC URLs
 * from their secret) once per container; this adds the DynamoDB stores and
 * the webhook key (read from Secrets Manager by WEBHOOK_SECRET_ARN at cold
 * start).
 */

type WatcherWiring = {
  events: EventStore;
  checkpoints: CheckpointStore;
  records: SellerRecords;
  tally: BusinessTally;
  alerts: AlertLedger;
  webhookSecret?: string;
};

let wiring: Promise<WatcherWiring> | undefined;

async function wire(env: JobEnvironment): Promise<WatcherWiring> {
  if (env.EVENTS_TABLE === undefined || env.CHECKPOINTS_TABLE === undefined) {
    throw new Error("the watcher needs EVENTS_TABLE and CHECKPOINTS_TABLE");
  }
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  let webhookSecret: string | undefined;
  if ((env.WEBHOOK_ENDPOINTS ?? []).length > 0) {
    if (env.WEBHOOK_SECRET_ARN === undefined) throw new Error("WEBHOOK_ENDPOINTS is set but WEBHOOK_SECRET_ARN is not");
    webhookSecret = await createWebhookSecretReader(sharedSecretsClient(), env.WEBHOOK_SECRET_ARN)();
  }
  return {
    events: createEventStore(documents, env.EVENTS_TABLE),
    checkpoints: createCheckpointStore(documents, env.CHECKPOINTS_TABLE),
    records: createSellerRecords(documents, env.EVENTS_TABLE),
    tally: createBusinessTally(documents, env.EVENTS_TABLE, env.SELLER_ID),
    alerts: createAlertLedger(documents, env.EVENTS_TABLE),
    ...(webhookSecret !== undefined ? { webhookSecret } : {}),
  };
}

export function watcherConfig(env: JobEnvironment): WatcherConfig {
  return {
    diamond: getAddress(env.PROTOCOL_DIAMOND),
    sellerId: BigInt(env.SELLER_ID),
    confirmations: env.CONFIRMATIONS,
    ...(env.WATCHER_START_BLOCK !== undefined ? { startBlock: env.WATCHER_START_BLOCK } : {}),
    maxBlockRange: BigInt(env.WATCHER_MAX_BLOCK_RANGE ?? 2_000),
    maxRangesPerRun: env.WATCHER_MAX_RANGES_PER_RUN ?? 20,
    kitAddresses: env.SIGNER_ADDRESS !== undefined ? [getAddress(env.SIGNER_ADDRESS)] : [],
    ...(env.PRICE_FEED !== undefined
      ? { priceFeed: { address: getAddress(env.PRICE_FEED.address), currency: env.PRICE_FEED.currency } }
      : {}),
    ...(env.SMOKE_OFFER_ID !== undefined ? { smokeOfferId: env.SMOKE_OFFER_ID } : {}),
    ...(env.SIGNER_ADDRESS !== undefined
      ? {
          expectedSeller: {
            admin: getAddress(env.SELLER_ADMIN),
            assistant: getAddress(env.SIGNER_ADDRESS),
            treasury: getAddress(env.SELLER_TREASURY),
            ...(env.SIGNER_ROTATION_ADDRESS ? { rotationAssistant: getAddress(env.SIGNER_ROTATION_ADDRESS) } : {}),
          },
        }
      : {}),
    disputeAlertLeadHours: env.DISPUTE_ALERT_LEAD_HOURS ?? [48, 12],
  };
}

/** Scheduled entry point; a failed run leaves the checkpoint where it was, so the next run repeats the range. */
export async function handler(_event?: unknown, context?: Context): Promise<WatcherOutcome> {
  const runtime = await loadJobRuntime("watcher");
  const { env, logger, metrics } = runtime;
  startInvocation(logger, context);
  wiring ??= wire(env).catch((error: unknown) => {
    wiring = undefined; // retried by the next invocation
    throw error;
  });
  const { events, checkpoints, records, tally, alerts, webhookSecret } = await wiring;
  return runJob(watcherJob, {
    client: runtime.read.publicClient,
    clients: runtime.read,
    events,
    checkpoints,
    records,
    tally,
    alerts,
    ...(webhookSecret !== undefined
      ? {
          webhooks: createWebhookSender({
            secret: webhookSecret,
            endpoints: env.WEBHOOK_ENDPOINTS ?? [],
            headers: () => traceHeaders(),
            logger,
          }),
        }
      : {}),
    metrics,
    logger,
    config: watcherConfig(env),
    ...(context !== undefined ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
  });
}
