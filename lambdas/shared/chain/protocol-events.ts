/**
 * The names of the protocol's exchange and dispute events, as the watcher
 * stores them and the business figures count them: one list, so a new
 * closing event cannot reach one and miss the other.
 */

/** The exchange lifecycle, sent to the fulfillment endpoints when it is the seller's. */
export const exchangeEvents = [
  "BuyerCommitted",
  "SellerCommitted",
  "VoucherRedeemed",
  "VoucherCanceled",
  "VoucherRevoked",
  "VoucherExpired",
  "VoucherExtended",
  "VoucherTransferred",
  "ExchangeCompleted",
] as const;

/** Disputes (B3): raised opens one, the others close it (escalation keeps it open). */
export const disputeEvents = [
  "DisputeRaised",
  "DisputeEscalated",
  "DisputeRetracted",
  "DisputeResolved",
  "DisputeDecided",
  "DisputeExpired",
  "EscalatedDisputeExpired",
  "EscalatedDisputeRefused",
] as const;

export const disputeClosingEvents: ReadonlySet<string> = new Set(
  disputeEvents.filter((name) => name !== "DisputeRaised" && name !== "DisputeEscalated"),
);

/** Events after which an exchange is over without completing: a voucher that ends unredeemed, or a closed dispute. */
export const exchangeEndingEvents: ReadonlySet<string> = new Set([
  "VoucherCanceled",
  "VoucherRevoked",
  "VoucherExpired",
  ...disputeClosingEvents,
]);
