import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { getAddress, type PublicClient } from "viem";
import { createReadClients } from "../shared/chain-clients";
import { createCheckpointStore } from "../shared/checkpoints";
import { readJobEnvironment, type JobEnvironment } from "../shared/environment";
import { createEventStore } from "../shared/event-store";
import { createJobLogger } from "../shared/logger";
import { metricNames } from "../shared/metrics-catalog";
import { createJobMetrics } from "../shared/metrics";
import { readRpcSecret } from "../shared/rpc-secret";
import { traceHeaders } from "../shared/trace";
import { createWebhookSecretReader } from "../shared/webhook-secret";
import { createWebhookSender } from "../shared/webhooks";
import { createSellerRecords } from "./seller-records";
import { runWatcher, type WatcherConfig, type WatcherRunResult } from "./watcher";

/**
 * The watcher Lambda: a thin adapter that builds `runWatcher`'s dependencies
 * from the environment once per container (cold start: environment, AWS
 * clients, the RPC and webhook secrets) and runs it on each schedule tick,
 * reporting one job outcome metric per run.
 */

const logger = createJobLogger("watcher");

type ColdStart = {
  env: JobEnvironment;
  client: PublicClient;
  documents: DynamoDBDocumentClient;
  webhookSecret?: string;
};

let coldStart: Promise<ColdStart> | undefined;

async function initialise(): Promise<ColdStart> {
  const env = readJobEnvironment();
  if (env.EVENTS_TABLE === undefined || env.CHECKPOINTS_TABLE === undefined) {
    throw new Error("the watcher needs EVENTS_TABLE and CHECKPOINTS_TABLE");
  }
  const secrets = new SecretsManagerClient({});
  const urls = await readRpcSecret({ secretArn: env.RPC_SECRET_ARN, logger, client: secrets });
  const { publicClient } = createReadClients({ chainId: env.CHAIN_ID, urls, logger });
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const endpoints = env.WEBHOOK_ENDPOINTS ?? [];
  let webhookSecret: string | undefined;
  if (endpoints.length > 0) {
    if (env.WEBHOOK_SECRET_ARN === undefined) throw new Error("WEBHOOK_ENDPOINTS is set but WEBHOOK_SECRET_ARN is not");
    webhookSecret = await createWebhookSecretReader(secrets, env.WEBHOOK_SECRET_ARN)();
  }
  return { env, client: publicClient as PublicClient, documents, ...(webhookSecret !== undefined ? { webhookSecret } : {}) };
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
    ...(env.PRICE_FEED !== undefined ? { priceFeed: { address: getAddress(env.PRICE_FEED.address), currency: env.PRICE_FEED.currency } } : {}),
  };
}

/** The run's result with block numbers as strings: Lambda serialises the return value as JSON (no bigint). */
export type WatcherRunSummary = Omit<WatcherRunResult, "head" | "finalBlock" | "fromBlock" | "toBlock"> & {
  head: string;
  finalBlock: string;
  fromBlock?: string;
  toBlock?: string;
};

export function summarise(result: WatcherRunResult): WatcherRunSummary {
  const { fromBlock, toBlock, ...rest } = result;
  return {
    ...rest,
    head: result.head.toString(),
    finalBlock: result.finalBlock.toString(),
    ...(fromBlock !== undefined ? { fromBlock: fromBlock.toString() } : {}),
    ...(toBlock !== undefined ? { toBlock: toBlock.toString() } : {}),
  };
}

export async function handler(): Promise<WatcherRunSummary> {
  const stack = process.env.KIT_STACK ?? "unknown";
  const metrics = createJobMetrics("watcher", stack);
  try {
    coldStart ??= initialise().catch((error: unknown) => {
      coldStart = undefined; // retried by the next invocation
      throw error;
    });
    const { env, client, documents, webhookSecret } = await coldStart;
    const result = await runWatcher({
      client,
      events: createEventStore(documents, env.EVENTS_TABLE ?? ""),
      checkpoints: createCheckpointStore(documents, env.CHECKPOINTS_TABLE ?? ""),
      records: createSellerRecords(documents, env.EVENTS_TABLE ?? ""),
      ...(webhookSecret !== undefined
        ? { webhooks: createWebhookSender({ secret: webhookSecret, endpoints: env.WEBHOOK_ENDPOINTS ?? [], headers: () => traceHeaders(), logger }) }
        : {}),
      metrics,
      logger,
      config: watcherConfig(env),
    });
    metrics.add(metricNames.jobSucceeded, 1);
    const summary = summarise(result);
    logger.info("watcher run", { result: summary });
    return summary;
  } catch (error) {
    metrics.add(metricNames.jobFailed, 1);
    logger.error("watcher run failed; the checkpoint stays where it was and the next run repeats the range", { error });
    throw error;
  } finally {
    metrics.flush();
  }
}
