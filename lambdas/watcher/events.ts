/**
 * The events the watcher reads and the two views it calls, written as
 * human-readable ABI from the official ABIs of the pinned
 * `@bosonprotocol/common` (checklist H4; a test asserts each item equal to
 * the official one: name, types, indexed flags, so the topics are the
 * protocol's own). They are not imported from the package's JSON: those
 * handler ABIs would add ~80 kB to the Lambda bundle for five events.
 * `ProtocolInitialized` is not in those ABIs; it is written from the protocol
 * source (IBosonProtocolInitializationEvents). Topics are computed from the
 * ABI, never written as hex. The ABIs live in watched.abi.ts: the bundle
 * carries them already parsed (infra/build/build-time-data.ts).
 */
import { decodeEventLog, type AbiEvent, type Log } from "viem";
import type { JsonValue } from "../shared/stores/events";
import { disputeEvents, exchangeEvents } from "../shared/chain/protocol-events";
import { sellerAccountEvents } from "./seller-account";
import { watchedEventsAbi } from "./watched.abi";

export { getExchangeAbi, getOfferAbi, watchedEventsAbi, watchedTopics } from "./watched.abi";

/** Upgrade alerts (H3). */
export const upgradeEvents = ["DiamondCut", "ProtocolInitialized"] as const;
/** Fee facts for the exposure (M4); stored, not sent. */
export const feeEvents = ["ProtocolFeeCollected", "DRFeeRequested"] as const;
/** Offers: how the watcher learns which offers (and so exchanges) are the seller's. */
export const offerEvents = ["OfferCreated"] as const;

export { sellerAccountEvents };
export { disputeClosingEvents, disputeEvents, exchangeEvents } from "../shared/chain/protocol-events";

export type WatchedEventName =
  | (typeof sellerAccountEvents)[number]
  | (typeof upgradeEvents)[number]
  | (typeof exchangeEvents)[number]
  | (typeof disputeEvents)[number]
  | (typeof feeEvents)[number]
  | (typeof offerEvents)[number];

const watchedNames: ReadonlySet<string> = new Set<string>([
  ...sellerAccountEvents,
  ...upgradeEvents,
  ...exchangeEvents,
  ...disputeEvents,
  ...feeEvents,
  ...offerEvents,
]);
if (watchedEventsAbi.some((event) => !watchedNames.has(event.name)) || watchedEventsAbi.length !== watchedNames.size) {
  throw new Error("the watched event lists and the watched ABI disagree");
}

export type DecodedEvent = {
  eventName: WatchedEventName;
  args: Record<string, unknown>;
  log: Log<bigint, number, false>;
};

/** Decodes a log against the watched events; undefined when it is none of them (or malformed). */
export function decodeWatchedLog(log: Log<bigint, number, false>): DecodedEvent | undefined {
  try {
    const decoded = decodeEventLog({
      abi: watchedEventsAbi as readonly AbiEvent[],
      data: log.data,
      topics: log.topics,
      strict: true,
    });
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
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, toJson(inner)]),
    );
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
