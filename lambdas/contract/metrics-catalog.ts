/**
 * The metrics contract between the Lambda jobs (which emit them with
 * Powertools Metrics, EMF) and the infra (alarms and the dashboard read
 * them). Both sides import this module, so a renamed metric breaks the build
 * instead of silently leaving an alarm without data.
 */

import type { JobName } from "./jobs";

export const metricsNamespace = "BosonKit";

/**
 * Every metric carries exactly these two dimensions, and an alarm must name
 * both to match. Powertools Metrics always adds `service` (its serviceName);
 * the kit sets serviceName to the job's name, so `service` is the job.
 */
export const metricDimensions = {
  stack: "Stack",
  job: "service",
} as const;

export const metricNames = {
  // Health (H5, O6, H2): emitted by the health job every run.
  healthHeartbeat: "HealthHeartbeat",
  gasBalanceWei: "GasBalanceWei",
  subgraphLagBlocks: "SubgraphLagBlocks",
  subgraphIndexingErrors: "SubgraphIndexingErrors",
  pausedRegions: "PausedRegions",
  // Watcher (H3, B3).
  diamondCutSeen: "DiamondCutSeen",
  disputeRaised: "DisputeRaised",
  disputesOpenOverOneDay: "DisputesOpenOverOneDay",
  webhookDeadLettered: "WebhookDeadLettered",
  /** A seller account change (admin, assistant, treasury, auth token, royalty recipients) the stack did not expect (M3). */
  sellerAccountChanged: "SellerAccountChanged",
  /** A dispute deadline (timeout, resolver response period) came within a configured lead time; once per deadline and lead time (B3). */
  disputeDeadlineNear: "DisputeDeadlineNear",
  /** The block at the watcher's checkpoint was replaced: a reorg deeper than the confirmations (O3). */
  deepReorgSeen: "DeepReorgSeen",
  // Business (B2, M4): from the health job's subgraph queries and the watcher's exposure.
  openExchanges: "OpenExchanges",
  redemptionRate: "RedemptionRate",
  disputeRate: "DisputeRate",
  timeToCompletionSeconds: "TimeToCompletionSeconds",
  gasSpentWei: "GasSpentWei",
  exchangeCostFiat: "ExchangeCostFiat",
  // Withdrawals (M1).
  withdrawnAmountWei: "WithdrawnAmountWei",
  /** Exchanges whose escrow the withdraw run released (dimension Action: complete, expireDispute, expireVoucher). */
  escrowReleased: "EscrowReleased",
  /** Candidates left alone (dimension Reason: not-yet-due, already-final, escalated, region-paused, ...). */
  escrowReleaseSkipped: "EscrowReleaseSkipped",
  /** Per token (dimension Token): what the active offers still need, and what is above it. */
  reserveWei: "ReserveWei",
  withdrawableExcessWei: "WithdrawableExcessWei",
  /** Tokens whose available funds are below the reserve: commits are about to revert with InsufficientAvailableFunds. */
  reserveShortfall: "ReserveShortfall",
  /** The seller's treasury, admin or assistant on chain differs from the stack's config: the withdrawal was refused. */
  sellerAccountMismatch: "SellerAccountMismatch",
  // Job outcomes: one of these per run (transient = e.g. a paused region, retried next run).
  jobSucceeded: "JobSucceeded",
  jobTransient: "JobTransient",
  jobFailed: "JobFailed",
  // Signing (S1): per-signature latency from the KMS account's observer.
  kmsSignLatencyMs: "KmsSignLatencyMs",
  kmsSignAttempts: "KmsSignAttempts",
  /** KMS requests answered with throttling (retried, or failed over past the budget). */
  kmsThrottled: "KmsThrottled",
  /** Signing moved from the key's primary region to its replica. */
  kmsRegionFailover: "KmsRegionFailover",
  /** A job found another address behind its KMS key than the pinned one, and refused to sign. */
  signerAddressMismatch: "SignerAddressMismatch",
  /** A run found the standby stack switched on (its fence alias in the replica's region) and signed nothing. */
  standbyActive: "StandbyActive",
  // Smoke test (M2, C4).
  smokeStepFailed: "SmokeStepFailed",
  smokeStepDurationMs: "SmokeStepDurationMs",
  // Health (H5): the signer's balance over the expected daily burn (days of gas left), for the dashboard.
  gasBalanceRatio: "GasBalanceRatio",
  // RPC (S3): requests the fallback endpoint answered in a run (the primary failed).
  rpcFallbackUsed: "RpcFallbackUsed",
  // Meta-transactions (O4): one per write, by the path it took (the reason is in the tool-call log).
  metaTxRelayed: "MetaTxRelayed",
  metaTxFallback: "MetaTxFallback",
  // Transaction lifecycle: a send refused above the fee cap, and the age in minutes of the pending transaction a run watches.
  txFeeCapReached: "TxFeeCapReached",
  txPendingMinutes: "TxPendingMinutes",
} as const;

export type MetricName = (typeof metricNames)[keyof typeof metricNames];

/** Which job emits each metric: the `service` dimension value an alarm or widget must use. */
export const metricEmitter: Readonly<Record<MetricName, JobName | "any">> = {
  HealthHeartbeat: "health",
  GasBalanceWei: "health",
  SubgraphLagBlocks: "health",
  SubgraphIndexingErrors: "health",
  PausedRegions: "health",
  DiamondCutSeen: "watcher",
  DisputeRaised: "watcher",
  DisputesOpenOverOneDay: "watcher",
  WebhookDeadLettered: "watcher",
  DeepReorgSeen: "watcher",
  SellerAccountChanged: "watcher",
  DisputeDeadlineNear: "watcher",
  OpenExchanges: "health",
  RedemptionRate: "health",
  DisputeRate: "health",
  TimeToCompletionSeconds: "health",
  GasSpentWei: "any",
  ExchangeCostFiat: "watcher",
  WithdrawnAmountWei: "withdraw",
  EscrowReleased: "withdraw",
  EscrowReleaseSkipped: "withdraw",
  ReserveWei: "withdraw",
  WithdrawableExcessWei: "withdraw",
  ReserveShortfall: "withdraw",
  SellerAccountMismatch: "withdraw",
  JobSucceeded: "any",
  JobTransient: "any",
  JobFailed: "any",
  KmsSignLatencyMs: "any",
  KmsSignAttempts: "any",
  KmsThrottled: "any",
  KmsRegionFailover: "any",
  SignerAddressMismatch: "any",
  StandbyActive: "any",
  SmokeStepFailed: "smoke",
  SmokeStepDurationMs: "smoke",
  GasBalanceRatio: "health",
  RpcFallbackUsed: "any",
  MetaTxRelayed: "any",
  MetaTxFallback: "any",
  TxFeeCapReached: "any",
  TxPendingMinutes: "any",
};
