import { zeroAddress } from "viem";
import { toFiat, type PriceQuote } from "../shared/chain/price-feed";

/**
 * Per-exchange exposure (checklist M4): the fees the protocol takes for the
 * exchange, the gas the kit's own transactions spent on it, and their value
 * in the configured fiat currency. Pure: the watcher gathers the facts
 * (offer terms, fee events, receipts, a price quote) and stores the result.
 */

export type ExposureFacts = {
  /** The offer's exchange token (the zero address: the native coin). */
  exchangeToken: string;
  /** From the offer (OfferCreated or getOffer): what the protocol will take. */
  offerProtocolFee: bigint;
  offerAgentFee: bigint;
  offerDisputeResolverFee: bigint;
  /** From the protocol's events (ProtocolFeeCollected, DRFeeRequested): what it did take, when seen. */
  protocolFeesCollected: readonly bigint[];
  disputeResolverFeesRequested: readonly bigint[];
  /** Gas cost (gasUsed x effectiveGasPrice, plus any L1 fee) of each of the kit's own transactions for the exchange. */
  gasWeiByTx: Readonly<Record<string, bigint>>;
};

export type Exposure = {
  /** Effective fees in the exchange token's base units. */
  protocolFee: bigint;
  agentFee: bigint;
  disputeResolverFee: bigint;
  totalFees: bigint;
  /** Where each fee figure came from. */
  protocolFeeSource: "event" | "offer";
  disputeResolverFeeSource: "event" | "offer";
  gasWei: bigint;
  kitTransactions: number;
  fiat?: {
    currency: string;
    gas: string;
    /** Only when the exchange token is the native coin the feed prices. */
    fees?: string;
    total: string;
    /** The total as a number, for the metric. */
    totalValue: number;
    roundId: string;
    priceUpdatedAt: string;
  };
};

const sum = (values: readonly bigint[]) => values.reduce((total, value) => total + value, 0n);

export function computeExposure(facts: ExposureFacts, quote?: PriceQuote): Exposure {
  const protocolFeeSource = facts.protocolFeesCollected.length > 0 ? "event" : "offer";
  const disputeResolverFeeSource = facts.disputeResolverFeesRequested.length > 0 ? "event" : "offer";
  const protocolFee = protocolFeeSource === "event" ? sum(facts.protocolFeesCollected) : facts.offerProtocolFee;
  const disputeResolverFee =
    disputeResolverFeeSource === "event" ? sum(facts.disputeResolverFeesRequested) : facts.offerDisputeResolverFee;
  const agentFee = facts.offerAgentFee;
  const totalFees = protocolFee + agentFee + disputeResolverFee;
  const gasWei = sum(Object.values(facts.gasWeiByTx));
  const exposure: Exposure = {
    protocolFee,
    agentFee,
    disputeResolverFee,
    totalFees,
    protocolFeeSource,
    disputeResolverFeeSource,
    gasWei,
    kitTransactions: Object.keys(facts.gasWeiByTx).length,
  };
  if (quote === undefined) return exposure;
  const nativeFees = facts.exchangeToken.toLowerCase() === zeroAddress;
  const gas = toFiat(gasWei, quote);
  const total = toFiat(gasWei + (nativeFees ? totalFees : 0n), quote);
  exposure.fiat = {
    currency: quote.currency,
    gas: gas.text,
    ...(nativeFees ? { fees: toFiat(totalFees, quote).text } : {}),
    total: total.text,
    totalValue: total.value,
    roundId: quote.roundId.toString(),
    priceUpdatedAt: quote.updatedAt.toString(),
  };
  return exposure;
}
