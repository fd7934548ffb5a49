/**
 * The events the watcher reads, taken by name from the official ABIs that
 * the pinned `@bosonprotocol/common` ships (checklist H4), so their topics
 * are the protocol's own. `ProtocolInitialized` is not in those ABIs; it is
 * written here from the protocol source (IBosonProtocolInitializationEvents).
 * Topics are computed from the ABI, never written as hex.
 */
import {
  decodeEventLog,
  parseAbi,
  toEventSelector,
  type Abi,
  type AbiEvent,
  type AbiFunction,
  type Hex,
  type Log,
} from "viem";
import disputeHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonDisputeHandler.json";
import exchangeHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonExchangeHandler.json";
import offerHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonOfferHandler.json";
import protocolDiamondJson from "@bosonprotocol/common/dist/cjs/abis/ProtocolDiamond.json";
import type { JsonValue } from "../shared/event-store";

/** Upgrade alerts (H3). */
export const upgradeEvents = ["DiamondCut", "ProtocolInitialized"] as const;
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
export const disputeClosingEvents: ReadonlySet<string> = new Set([
  "DisputeRetracted",
  "DisputeResolved",
  "DisputeDecided",
  "DisputeExpired",
  "EscalatedDisputeExpired",
  "EscalatedDisputeRefused",
]);
/** Fee facts for the exposure (M4); stored, not sent. */
export const feeEvents = ["ProtocolFeeCollected", "DRFeeRequested"] as const;
/** Offers: how the watcher learns which offers (and so exchanges) are the seller's. */
export const offerEvents = ["OfferCreated"] as const;

export type WatchedEventName =
  | (typeof upgradeEvents)[number]
  | (typeof exchangeEvents)[number]
  | (typeof disputeEvents)[number]
  | (typeof feeEvents)[number]
  | (typeof offerEvents)[number];

const initializationAbi = parseAbi(["event ProtocolInitialized(string version)"]);

const officialAbi = [
  ...(protocolDiamondJson as unknown as Abi),
  ...(exchangeHandlerJson as unknown as Abi),
  ...(disputeHandlerJson as unknown as Abi),
  ...(offerHandlerJson as unknown as Abi),
  ...initializationAbi,
];

function findEvent(name: string): AbiEvent {
  const found = officialAbi.find((item): item is AbiEvent => item.type === "event" && item.name === name);
  if (found === undefined) throw new Error(`event ${name} is not in the pinned protocol ABIs`);
  return found;
}

function findFunction(name: string): AbiFunction {
  const found = officialAbi.find((item): item is AbiFunction => item.type === "function" && item.name === name);
  if (found === undefined) throw new Error(`function ${name} is not in the pinned protocol ABIs`);
  return found;
}

const watchedNames: readonly WatchedEventName[] = [
  ...upgradeEvents,
  ...exchangeEvents,
  ...disputeEvents,
  ...feeEvents,
  ...offerEvents,
];

/** The watched events, one ABI item each. */
export const watchedEventsAbi: readonly AbiEvent[] = watchedNames.map(findEvent);

/** topic0 of every watched event: one `eth_getLogs` per range filters on all of them at once. */
export const watchedTopics: readonly Hex[] = watchedEventsAbi.map((event) => toEventSelector(event));

/** The two reads the watcher needs for offers and exchanges it did not see created. */
export const getOfferAbi = [findFunction("getOffer")] as const;
export const getExchangeAbi = [findFunction("getExchange")] as const;

export type DecodedEvent = {
  eventName: WatchedEventName;
  args: Record<string, unknown>;
  log: Log<bigint, number, false>;
};

/** Decodes a log against the watched events; undefined when it is none of them (or malformed). */
export function decodeWatchedLog(log: Log<bigint, number, false>): DecodedEvent | undefined {
  try {
    const decoded = decodeEventLog({ abi: watchedEventsAbi, data: log.data, topics: log.topics, strict: true });
    if (decoded.eventName === undefined) return undefined;
    const args = decoded.args as unknown;
    if (args === null || typeof args !== "object" || Array.isArray(args)) return undefined;
    return { eventName: decoded.eventName as WatchedEventName, args: args as Record<string, unknown>, log };
  } catch {
    return undefined;
  }
}

/** Event arguments as JSON: uint values as decimal strings, structs as objects, arrays as arrays. */
export function toJson(value: unknown): JsonValue {
  if (typeof value === "bigint") return value.toString();
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, toJson(inner)]));
  }
  return String(value);
}

/** A uint argument as bigint; throws when the decoded event does not carry it. */
export function uintArg(args: Record<string, unknown>, name: string): bigint {
  const value = args[name];
  if (typeof value !== "bigint") throw new Error(`event argument ${name} is missing`);
  return value;
}

export function optionalUintArg(args: Record<string, unknown>, name: string): bigint | undefined {
  const value = args[name];
  return typeof value === "bigint" ? value : undefined;
}

export function addressArg(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  return typeof value === "string" ? value : undefined;
}

/** `VoucherRedeemed` -> `boson.voucher_redeemed` (the Standard Webhooks `type`). */
export function webhookType(eventName: string): string {
  const words = eventName.replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2").replace(/([a-z0-9])([A-Z])/g, "$1_$2");
  return `boson.${words.toLowerCase()}`;
}
