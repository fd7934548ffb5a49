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
  /** The seller's admin the stack expects: the withdraw job refuses to withdraw when the chain says otherwise. */
  sellerAdmin: "SELLER_ADMIN",
  /** JSON: [{ address, symbol, withdrawThresholdWei, reserveMarginWei? }] */
  sellerTokens: "SELLER_TOKENS",
  expectedDailyBurnWei: "EXPECTED_DAILY_BURN_WEI",
  /** JSON: the stack's gas.alertRatios, e.g. [0.5, 0.2, 0.1] (the health job's thresholds, the same as the alarms'). */
  gasAlertRatios: "GAS_ALERT_RATIOS",
  subgraphMaxLagBlocks: "SUBGRAPH_MAX_LAG_BLOCKS",
  keyId: "KEY_ID",
  /** Optional: the multi-Region replica of KEY_ID (an ARN, whose region the client uses); signing fails over to it. */
  replicaKeyArn: "REPLICA_KEY_ARN",
  /**
   * Optional, with REPLICA_KEY_ARN on the jobs that sign: the KMS alias a standby stack declares in the replica's
   * region while it is switched on; when it resolves there, a run signs nothing.
   */
  standbyFenceAlias: "STANDBY_FENCE_ALIAS",
  /** Optional: the address recorded in the stack config after the first deploy; a job refuses to sign if the key's differs. */
  pinnedSignerAddress: "SIGNER_PINNED_ADDRESS",
  /** Optional, during a key rotation only: the pending key's address, which the protocol may accept before the jobs switch to it. */
  rotationSignerAddress: "SIGNER_ROTATION_ADDRESS",
  rpcSecretArn: "RPC_SECRET_ARN",
  webhookSecretArn: "WEBHOOK_SECRET_ARN",
  /** JSON: ["https://..."] */
  webhookEndpoints: "WEBHOOK_ENDPOINTS",
  idempotencyTable: "IDEMPOTENCY_TABLE",
  eventsTable: "EVENTS_TABLE",
  checkpointsTable: "CHECKPOINTS_TABLE",
  /** JSON, optional: { url, apiId, ratePerSecond, burst, timeoutMs } (the api key is in the RPC secret) */
  relayer: "RELAYER",
  /** JSON, optional: the transaction lifecycle's { stuckAfterBlocks, stuckAfterSeconds, bumpPercent, maxFeePerGasGwei, leaseSeconds, pendingAlarmMinutes } */
  txLifecycle: "TX_LIFECYCLE",
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
  /** Optional (default 20): exchanges per completeExchangeBatch / expireDisputeBatch in the withdraw run's escrow release. */
  escrowBatchSize: "ESCROW_BATCH_SIZE",
  /** Optional (default 200): exchanges the escrow release examines per run. */
  escrowMaxPerRun: "ESCROW_MAX_PER_RUN",
  /** Optional JSON (default [48, 12]): hours before each dispute deadline at which the watcher pages. */
  disputeAlertLeadHours: "DISPUTE_ALERT_LEAD_HOURS",
  /** Optional: the known test offer the smoke job runs through the state machine (C4). */
  smokeOfferId: "SMOKE_OFFER_ID",
  /** Optional, basis points (default 5000): the buyer's share in the smoke job's mutual dispute resolution. */
  smokeBuyerPercent: "SMOKE_BUYER_PERCENT",
  /** Smoke: how the test offer is paid, "free", "native" or the ERC-20's address (checked against the chain's offer). */
  smokeExchangeToken: "SMOKE_EXCHANGE_TOKEN",
  /** Smoke: JSON { <function>: ReleaseIdentity } of every Lambda in the stack (lambdas/contract/release.ts). */
  release: "KIT_RELEASE",
  /** Smoke: the table that keeps its record per stack (the checkpoints table, key smoke-release#<stack>). */
  releaseRecordsTable: "RELEASE_RECORDS_TABLE",
  metricsNamespace: "POWERTOOLS_METRICS_NAMESPACE",
  serviceName: "POWERTOOLS_SERVICE_NAME",
} as const;

export type EnvironmentVariable = (typeof environmentVariables)[keyof typeof environmentVariables];
