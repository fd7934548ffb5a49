import { z } from "zod";

/**
 * The environment contract between infra (which sets these variables on each
 * Lambda) and the jobs (which read them once at cold start). Ids, addresses
 * from the validated stack config, and table names only: never a secret
 * value. Secrets (RPC URLs, the webhook HMAC key) are read from Secrets
 * Manager by ARN at run time (checklist S1, S3).
 */
export const environmentVariables = {
  stack: "KIT_STACK",
  configId: "CONFIG_ID",
  chainId: "CHAIN_ID",
  protocolDiamond: "PROTOCOL_DIAMOND",
  subgraphUrl: "SUBGRAPH_URL",
  confirmations: "CONFIRMATIONS",
  sellerId: "SELLER_ID",
  sellerTreasury: "SELLER_TREASURY",
  /** JSON: [{ address, symbol, withdrawThresholdWei }] */
  sellerTokens: "SELLER_TOKENS",
  expectedDailyBurnWei: "EXPECTED_DAILY_BURN_WEI",
  subgraphMaxLagBlocks: "SUBGRAPH_MAX_LAG_BLOCKS",
  keyId: "KEY_ID",
  rpcSecretArn: "RPC_SECRET_ARN",
  webhookSecretArn: "WEBHOOK_SECRET_ARN",
  /** JSON: ["https://..."] */
  webhookEndpoints: "WEBHOOK_ENDPOINTS",
  idempotencyTable: "IDEMPOTENCY_TABLE",
  eventsTable: "EVENTS_TABLE",
  checkpointsTable: "CHECKPOINTS_TABLE",
  /** JSON, optional: { url, ratePerSecond, burst, timeoutMs } */
  relayer: "RELAYER",
  /** JSON, optional: { address, currency } */
  priceFeed: "PRICE_FEED",
  /** Shipper: the GCP project its Cloud Logging entries go to. */
  gcpProject: "GCP_PROJECT",
  /** Shipper: the Cloud Logging log id (`projects/<p>/logs/<id>`) the sinks route by. */
  gcpLogName: "GCP_LOG_NAME",
  /** Shipper: Workload Identity Federation credential configuration (external_account JSON; no key, not a secret). */
  gcpCredentialConfig: "GCP_CREDENTIAL_CONFIG",
  /** The kit signer's address (derived from the KMS key by infra): the watcher counts its transactions' gas (M4). */
  signerAddress: "SIGNER_ADDRESS",
  /** Watcher: first block to read when it has no checkpoint yet (e.g. the seller's first offer); default: start at the current final block. */
  watcherStartBlock: "WATCHER_START_BLOCK",
  /** Watcher: blocks per eth_getLogs call (default 2000; lower it for providers with tighter limits). */
  watcherMaxBlockRange: "WATCHER_MAX_BLOCK_RANGE",
  /** Watcher: ranges per run (default 20), so a catch-up spreads over runs. */
  watcherMaxRangesPerRun: "WATCHER_MAX_RANGES_PER_RUN",
  /** Optional, seconds (default 3600): the withdraw job's idempotency window, one withdrawal per key per window. */
  withdrawWindowSeconds: "WITHDRAW_WINDOW_SECONDS",
  /** Optional: the known test offer the smoke job runs through the state machine (C4). */
  smokeOfferId: "SMOKE_OFFER_ID",
  /** Optional, basis points (default 5000): the buyer's share in the smoke job's mutual dispute resolution. */
  smokeBuyerPercent: "SMOKE_BUYER_PERCENT",
  metricsNamespace: "POWERTOOLS_METRICS_NAMESPACE",
  serviceName: "POWERTOOLS_SERVICE_NAME",
} as const;

export type EnvironmentVariable = (typeof environmentVariables)[keyof typeof environmentVariables];

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be JSON" });
      return z.NEVER;
    }
  }).pipe(schema);

const jobEnvironmentSchema = z.object({
  [environmentVariables.stack]: z.string().min(1),
  [environmentVariables.configId]: z.string().regex(/^(local|testing|staging|production)-[0-9]+-[0-9]+$/),
  [environmentVariables.chainId]: z.coerce.number().int().positive(),
  [environmentVariables.protocolDiamond]: address,
  [environmentVariables.subgraphUrl]: z.url(),
  [environmentVariables.confirmations]: z.coerce.number().int().positive(),
  [environmentVariables.sellerId]: z.string().regex(/^[1-9][0-9]*$/),
  [environmentVariables.sellerTreasury]: address,
  [environmentVariables.sellerTokens]: json(
    z.array(z.object({ address, symbol: z.string(), withdrawThresholdWei: z.string().regex(/^[0-9]+$/) })),
  ),
  [environmentVariables.expectedDailyBurnWei]: z.string().regex(/^[0-9]+$/),
  [environmentVariables.subgraphMaxLagBlocks]: z.coerce.number().int().positive(),
  [environmentVariables.keyId]: z.string().min(1).optional(),
  [environmentVariables.rpcSecretArn]: z.string().min(1),
  [environmentVariables.webhookSecretArn]: z.string().min(1).optional(),
  [environmentVariables.webhookEndpoints]: json(z.array(z.url())).optional(),
  [environmentVariables.idempotencyTable]: z.string().min(1).optional(),
  [environmentVariables.eventsTable]: z.string().min(1).optional(),
  [environmentVariables.checkpointsTable]: z.string().min(1).optional(),
  [environmentVariables.relayer]: json(
    z.object({ url: z.url(), ratePerSecond: z.number(), burst: z.number(), timeoutMs: z.number() }),
  ).optional(),
  [environmentVariables.priceFeed]: json(z.object({ address, currency: z.string() })).optional(),
  [environmentVariables.signerAddress]: address.optional(),
  [environmentVariables.watcherStartBlock]: z.coerce.bigint().nonnegative().optional(),
  [environmentVariables.watcherMaxBlockRange]: z.coerce.number().int().positive().max(100_000).optional(),
  [environmentVariables.watcherMaxRangesPerRun]: z.coerce.number().int().positive().max(1_000).optional(),
  [environmentVariables.withdrawWindowSeconds]: z.coerce.number().int().positive().optional(),
  [environmentVariables.smokeOfferId]: z.string().regex(/^[1-9][0-9]*$/).optional(),
  [environmentVariables.smokeBuyerPercent]: z.coerce.number().int().min(0).max(10_000).optional(),
});

export type JobEnvironment = z.output<typeof jobEnvironmentSchema>;

/** Reads and checks the job's environment once; the error names each bad variable. */
export function readJobEnvironment(env: NodeJS.ProcessEnv = process.env): JobEnvironment {
  const parsed = jobEnvironmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`the Lambda environment is incomplete (infra sets it): ${problems.join("; ")}`);
  }
  return parsed.data;
}
