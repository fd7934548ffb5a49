/**
 * The alerts the jobs raise in their log records, as `{ [alertField]: name }`.
 * Log-based metrics and alarms filter on these values (the GCP log metric on
 * dispute-raised, say), so both sides read them from here.
 */
export const alertField = "alert";

export const alertNames = {
  /** A DiamondCut or ProtocolInitialized on the diamond (H3). */
  protocolUpgrade: "protocol-upgrade",
  /** A buyer raised a dispute on one of the seller's exchanges (B3). */
  disputeRaised: "dispute-raised",
  /** A dispute open for more than a day of chain time (B3). */
  disputeOpenOverOneDay: "dispute-open-over-one-day",
  /** The block at the watcher's checkpoint was replaced: a reorg deeper than the confirmations (O3). */
  deepReorg: "deep-reorg",
  /** A seller-account event (admin, assistant, treasury, auth token, royalties) the config does not expect (M3). */
  sellerAccountChanged: "seller-account-changed",
  /** The seller on chain differs from the config: the withdrawal was refused (M3). */
  sellerAccountMismatch: "seller-account-mismatch",
  /** Available funds below what the active offers need: commits will revert (M1). */
  reserveShortfall: "reserve-shortfall",
  /** A dispute deadline within a configured lead time (B3). */
  disputeDeadlineNear: "dispute-deadline-near",
} as const;

export type AlertName = (typeof alertNames)[keyof typeof alertNames];
