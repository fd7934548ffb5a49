/**
 * Whether one exchange's escrow can be released now, decided from the
 * protocol's own state and rules (the subgraph only nominates candidates):
 *
 * - Redeemed: anyone may `completeExchange` once `block.timestamp -
 *   redeemedDate >= disputePeriod` (ExchangeHandlerFacet).
 * - Disputed and Resolving: anyone may `expireDispute` once `block.timestamp >
 *   timeout` (DisputeHandlerFacet); an escalated dispute waits for the
 *   resolver and is left alone.
 * - Committed: anyone may `expireVoucher` once `block.timestamp >
 *   validUntilDate`.
 *
 * `now` is the latest block's timestamp: the next block's is never earlier,
 * so what is due against it is due when the transaction is mined.
 */
import type { Address, Chain, PublicClient, Transport } from "viem";
import type { Logger } from "@aws-lambda-powertools/logger";
import { withToolCall } from "../../shared/runtime/logger";
import { DisputeState, ExchangeState, protocolAbi } from "../../shared/chain/protocol";
import type { ReleaseKind } from "./candidates";

export type ReleaseDecision =
  | { decision: "due"; kind: ReleaseKind; exchangeId: bigint }
  | {
      decision: "skip";
      kind: ReleaseKind;
      exchangeId: bigint;
      reason: "not-yet-due" | "already-final" | "escalated" | "not-found";
      dueAt?: bigint;
    };

export type ExchangeFacts = {
  exists: boolean;
  state: number;
  redeemedDate: bigint;
  validUntilDate: bigint;
  disputePeriod?: bigint;
  dispute?: { state: number; timeout: bigint };
};

/** The rule itself, without I/O. */
export function decideRelease(
  kind: ReleaseKind,
  exchangeId: bigint,
  facts: ExchangeFacts,
  now: bigint,
): ReleaseDecision {
  const skip = (
    reason: "not-yet-due" | "already-final" | "escalated" | "not-found",
    dueAt?: bigint,
  ): ReleaseDecision => ({ decision: "skip", kind, exchangeId, reason, ...(dueAt !== undefined ? { dueAt } : {}) });
  if (!facts.exists) return skip("not-found");
  if (kind === "complete") {
    if (facts.state !== ExchangeState.Redeemed || facts.disputePeriod === undefined) return skip("already-final");
    const dueAt = facts.redeemedDate + facts.disputePeriod;
    return now >= dueAt ? { decision: "due", kind, exchangeId } : skip("not-yet-due", dueAt);
  }
  if (kind === "expireDispute") {
    if (facts.state !== ExchangeState.Disputed || facts.dispute === undefined) return skip("already-final");
    if (facts.dispute.state === DisputeState.Escalated) return skip("escalated");
    if (facts.dispute.state !== DisputeState.Resolving) return skip("already-final");
    return now > facts.dispute.timeout
      ? { decision: "due", kind, exchangeId }
      : skip("not-yet-due", facts.dispute.timeout + 1n);
  }
  if (facts.state !== ExchangeState.Committed) return skip("already-final");
  return now > facts.validUntilDate
    ? { decision: "due", kind, exchangeId }
    : skip("not-yet-due", facts.validUntilDate + 1n);
}

export type FactReader = {
  publicClient: PublicClient<Transport, Chain>;
  diamond: Address;
  logger: Logger;
  /** Offer id -> dispute period, shared across one run. */
  disputePeriods: Map<bigint, bigint>;
};

/** Reads what `decideRelease` needs for one exchange: getExchange, then getOffer (cached) or getDispute. */
export async function readExchangeFacts(
  reader: FactReader,
  kind: ReleaseKind,
  exchangeId: bigint,
): Promise<ExchangeFacts> {
  const { publicClient, diamond, logger } = reader;
  const context = { exchangeId: exchangeId.toString() };
  const [exists, exchange, voucher] = await withToolCall(
    logger,
    { tool: "rpc", operation: "getExchange", ...context },
    () =>
      publicClient.readContract({
        address: diamond,
        abi: protocolAbi,
        functionName: "getExchange",
        args: [exchangeId],
      }),
  );
  const facts: ExchangeFacts = {
    exists,
    state: exchange.state,
    redeemedDate: voucher.redeemedDate,
    validUntilDate: voucher.validUntilDate,
  };
  if (!exists) return facts;
  if (kind === "complete" && exchange.state === ExchangeState.Redeemed) {
    let period = reader.disputePeriods.get(exchange.offerId);
    if (period === undefined) {
      const [, , , durations] = await withToolCall(logger, { tool: "rpc", operation: "getOffer", ...context }, () =>
        publicClient.readContract({
          address: diamond,
          abi: protocolAbi,
          functionName: "getOffer",
          args: [exchange.offerId],
        }),
      );
      period = durations.disputePeriod;
      reader.disputePeriods.set(exchange.offerId, period);
    }
    facts.disputePeriod = period;
  }
  if (kind === "expireDispute" && exchange.state === ExchangeState.Disputed) {
    const [, dispute, dates] = await withToolCall(logger, { tool: "rpc", operation: "getDispute", ...context }, () =>
      publicClient.readContract({ address: diamond, abi: protocolAbi, functionName: "getDispute", args: [exchangeId] }),
    );
    facts.dispute = { state: dispute.state, timeout: dates.timeout };
  }
  return facts;
}
