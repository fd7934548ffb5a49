/**
 * The transaction lifecycle's defaults (config `transactions`), shared by the
 * jobs that send (lambdas/shared/chain/lifecycle/policy.ts) and the alarms
 * that watch them (infra/definitions/alarms.ts), so both read one value.
 */
export const transactionDefaults = {
  /** Blocks without a receipt after which a transaction is replaced with higher fees. */
  stuckAfterBlocks: 3,
  /** Seconds without a receipt after which a transaction is replaced with higher fees. */
  stuckAfterSeconds: 60,
  /** Fee increase per replacement, percent (above the nodes' 10% minimum). */
  bumpPercent: 15,
  /** No transaction is signed with a higher max fee per gas. */
  maxFeePerGasGwei: "500",
  /** The per-key send lease: the longest Lambda run, so a killed run's lease expires before the next schedule. */
  leaseSeconds: 900,
  /** A transaction pending longer than this raises the `<job>-tx-pending-too-long` alarm. */
  pendingAlarmMinutes: 10,
} as const;
