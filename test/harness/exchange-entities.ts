/**
 * The Boson subgraph's Exchange entity as its mappings keep it (state,
 * committed/redeemed/finalized dates, disputed), driven by protocol events.
 * The local subgraph server indexes with it, and the business-counter tests
 * use its full scan as the oracle the watcher's incremental counters must equal.
 */
import type { BusinessMetrics } from "../../lambdas/shared/stores/business-tally";

export type SubgraphExchangeEntity = {
  id: string;
  offerId: string;
  sellerId: string;
  buyerId: string;
  state: "COMMITTED" | "REVOKED" | "CANCELLED" | "REDEEMED" | "COMPLETED" | "DISPUTED";
  committedDate: string;
  redeemedDate: string | null;
  finalizedDate: string | null;
  disputed: boolean;
  disputeState: string | null;
  /** The voucher's validity end (unix seconds): the escrow release expires vouchers past it. */
  validUntilDate: string;
};

export type ExchangeEvent = {
  eventName: string;
  exchangeId: string;
  /** Block time, unix seconds. */
  timestamp: number;
  /** For commits: the offer and its seller, and the buyer. */
  offerId?: string;
  sellerId?: string;
  buyerId?: string;
  /** For commits: the voucher's validity end (unix seconds). */
  validUntilDate?: string;
};

const disputeEnd: Record<string, string> = {
  DisputeRetracted: "RETRACTED",
  DisputeResolved: "RESOLVED",
  DisputeDecided: "DECIDED",
  DisputeExpired: "RETRACTED",
  EscalatedDisputeExpired: "REFUSED",
  EscalatedDisputeRefused: "REFUSED",
};

/** Applies one event to the entities, as the subgraph's handlers do. */
export function applyExchangeEvent(entities: Map<string, SubgraphExchangeEntity>, event: ExchangeEvent): void {
  const at = String(event.timestamp);
  if (event.eventName === "BuyerCommitted" || event.eventName === "SellerCommitted") {
    entities.set(event.exchangeId, {
      id: event.exchangeId,
      offerId: event.offerId ?? "0",
      sellerId: event.sellerId ?? "0",
      buyerId: event.buyerId ?? "0",
      state: "COMMITTED",
      committedDate: at,
      redeemedDate: null,
      finalizedDate: null,
      disputed: false,
      disputeState: null,
      validUntilDate: event.validUntilDate ?? "0",
    });
    return;
  }
  const entity = entities.get(event.exchangeId);
  if (entity === undefined) return;
  switch (event.eventName) {
    case "VoucherRedeemed":
      Object.assign(entity, { state: "REDEEMED", redeemedDate: at });
      break;
    case "ExchangeCompleted":
      Object.assign(entity, { state: "COMPLETED", finalizedDate: at });
      break;
    case "VoucherCanceled":
    case "VoucherExpired":
      Object.assign(entity, { state: "CANCELLED", finalizedDate: at });
      break;
    case "VoucherRevoked":
      Object.assign(entity, { state: "REVOKED", finalizedDate: at });
      break;
    case "DisputeRaised":
      Object.assign(entity, { state: "DISPUTED", disputed: true, disputeState: "RESOLVING" });
      break;
    case "DisputeEscalated":
      entity.disputeState = "ESCALATED";
      break;
    default: {
      const end = disputeEnd[event.eventName];
      if (end !== undefined) Object.assign(entity, { finalizedDate: at, disputeState: end });
    }
  }
}

/** The business metrics by scanning every exchange (what the health job did before it had counters). */
export function fullScanMetrics(exchanges: readonly SubgraphExchangeEntity[]): BusinessMetrics {
  const open = exchanges.filter(
    (exchange) => exchange.finalizedDate === null && ["COMMITTED", "REDEEMED", "DISPUTED"].includes(exchange.state),
  );
  const redeemed = exchanges.filter((exchange) => exchange.redeemedDate !== null);
  const disputed = exchanges.filter((exchange) => exchange.disputed);
  const completed = exchanges.filter((exchange) => exchange.state === "COMPLETED" && exchange.finalizedDate !== null);
  const durations = completed.map((exchange) => Number(exchange.finalizedDate) - Number(exchange.committedDate));
  return {
    exchanges: exchanges.length,
    openExchanges: open.length,
    ...(exchanges.length > 0 ? { redemptionRate: redeemed.length / exchanges.length } : {}),
    ...(redeemed.length > 0 ? { disputeRate: disputed.length / redeemed.length } : {}),
    ...(durations.length > 0
      ? { meanTimeToCompletionSeconds: durations.reduce((sum, value) => sum + value, 0) / durations.length }
      : {}),
  };
}
