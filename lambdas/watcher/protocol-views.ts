import { getAddress } from "viem";
import { optionalUintArg } from "./events";
import { offerKey, type OfferRecord } from "./seller-records";

/**
 * The offer and exchange facts the watcher keeps, read from the protocol's
 * views (getOffer, getExchange) or from OfferCreated. viem returns structs
 * as objects with named fields, or as arrays when a name is missing; both
 * are read here.
 */

function field(value: unknown, name: string, index: number): unknown {
  if (value === null || typeof value !== "object") return undefined;
  const named = (value as Record<string, unknown>)[name];
  if (named !== undefined) return named;
  return Array.isArray(value) ? (value as unknown[])[index] : undefined;
}

function big(value: unknown): bigint {
  return typeof value === "bigint" ? value : 0n;
}

function offerRecord(offerId: bigint, offer: unknown, terms: unknown, fees: unknown): OfferRecord {
  const token = field(offer, "exchangeToken", 6);
  return {
    id: offerKey(offerId),
    recordType: "offer",
    offerId: offerId.toString(),
    sellerId: big(field(offer, "sellerId", 1)).toString(),
    exchangeToken: typeof token === "string" ? getAddress(token) : "",
    price: big(field(offer, "price", 2)).toString(),
    protocolFee: big(field(fees, "protocolFee", 0)).toString(),
    agentFee: big(field(fees, "agentFee", 1)).toString(),
    disputeResolverFee: big(field(terms, "feeAmount", 2)).toString(),
  };
}

/** From OfferCreated's arguments. */
export function offerFromOfferCreated(args: Record<string, unknown>): OfferRecord | undefined {
  const offerId = optionalUintArg(args, "offerId");
  if (offerId === undefined) return undefined;
  return offerRecord(offerId, args.offer, args.disputeResolutionTerms, args.offerFees);
}

/** From getOffer's outputs: (exists, offer, offerDates, offerDurations, disputeResolutionTerms, offerFees). */
export function offerFromGetOffer(offerId: bigint, outputs: unknown): OfferRecord | undefined {
  if (!Array.isArray(outputs) || outputs[0] !== true) return undefined;
  return offerRecord(offerId, outputs[1], outputs[4], outputs[5]);
}

/** From getExchange's outputs: (exists, exchange, voucher). */
export function offerIdFromGetExchange(outputs: unknown): bigint | undefined {
  if (!Array.isArray(outputs) || outputs[0] !== true) return undefined;
  const offerId = field(outputs[1], "offerId", 1);
  return typeof offerId === "bigint" ? offerId : undefined;
}
