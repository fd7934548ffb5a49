/**
 * In-memory stand-ins for the watcher's stores and a quiet logger, for the
 * unit tests of its parts. They keep the contracts the DynamoDB stores keep
 * (put-once events, keyed gas facts); the stores themselves are tested
 * against dynalite.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import type { Hex, Log } from "viem";
import type { ChainEventRecord, EventStore } from "../../lambdas/shared/stores/events";
import type { DecodedEvent, WatchedEventName } from "../../lambdas/watcher/events";
import {
  exchangeKey,
  offerKey,
  type ExchangeRecord,
  type OfferRecord,
  type SellerRecords,
} from "../../lambdas/watcher/seller-records";

export const silentLogger = (serviceName = "watcher") => new Logger({ serviceName, logLevel: "SILENT" });

export function memoryEventStore(): EventStore & { items: Map<string, ChainEventRecord> } {
  const items = new Map<string, ChainEventRecord>();
  return {
    items,
    putOnce: async (event) => {
      if (items.has(event.id)) return "duplicate";
      items.set(event.id, structuredClone(event));
      return "stored";
    },
    get: async (id) => items.get(id),
    claimDelivery: async (id, expectedClaim, until) => {
      const delivery = items.get(id)?.delivery;
      if (delivery?.status !== "pending" || delivery.claimedUntil !== expectedClaim) return false;
      delivery.claimedUntil = until;
      return true;
    },
    recordDelivery: async (id, delivery) => {
      const item = items.get(id);
      if (item) item.delivery = delivery;
    },
    listDeadLettered: async () => [...items.values()].filter((item) => item.delivery?.status === "dead-lettered"),
  };
}

export type MemorySellerRecords = SellerRecords & {
  offers: Map<string, OfferRecord>;
  exchanges: Map<string, ExchangeRecord>;
  disputes: Map<string, number>;
  calls: string[];
};

export function memorySellerRecords(): MemorySellerRecords {
  const offers = new Map<string, OfferRecord>();
  const exchanges = new Map<string, ExchangeRecord>();
  const disputes = new Map<string, number>();
  const calls: string[] = [];
  const exchange = (exchangeId: bigint) => {
    const found = exchanges.get(exchangeId.toString());
    if (!found) throw new Error(`no exchange ${exchangeId}`);
    return found;
  };
  return {
    offers,
    exchanges,
    disputes,
    calls,
    getOffer: async (offerId) => (calls.push(`getOffer ${offerId}`), offers.get(offerId.toString())),
    putOffer: async (offer) => void (calls.push(`putOffer ${offer.offerId}`), offers.set(offer.offerId, offer)),
    getExchange: async (exchangeId) => (calls.push(`getExchange ${exchangeId}`), exchanges.get(exchangeId.toString())),
    ensureExchange: async (record) => {
      calls.push(`ensureExchange ${record.exchangeId}`);
      if (!exchanges.has(record.exchangeId))
        exchanges.set(record.exchangeId, {
          ...record,
          id: exchangeKey(record.exchangeId),
          recordType: "exchange",
          feeEvents: {},
          gasByTx: {},
        });
    },
    addFeeEvent: async (exchangeId, eventId, fact) => {
      exchange(exchangeId).feeEvents[eventId] = fact;
    },
    addGas: async (exchangeId, txHash, gasWei) => {
      const record = exchange(exchangeId);
      if (record.gasByTx[txHash] !== undefined) return false;
      record.gasByTx[txHash] = gasWei.toString();
      return true;
    },
    setExposure: async (exchangeId, exposure) => {
      exchange(exchangeId).exposure = exposure;
    },
    openDispute: async (_sellerId, exchangeId, raisedAt) => void disputes.set(exchangeId.toString(), raisedAt),
    closeDispute: async (_sellerId, exchangeId) => void disputes.delete(exchangeId.toString()),
    openDisputes: async () => Object.fromEntries(disputes),
  };
}

/** An offer record as the watcher keeps it. */
export function offer(
  offerId: bigint,
  sellerId: bigint,
  fees: Partial<Pick<OfferRecord, "protocolFee" | "agentFee" | "disputeResolverFee" | "exchangeToken">> = {},
): OfferRecord {
  return {
    id: offerKey(offerId),
    recordType: "offer",
    offerId: offerId.toString(),
    sellerId: sellerId.toString(),
    exchangeToken: "0x0000000000000000000000000000000000000000",
    price: "1000",
    protocolFee: "10",
    agentFee: "0",
    disputeResolverFee: "5",
    ...fees,
  };
}

let logCounter = 0;

/** A decoded event as `decodeWatchedLog` returns it, on a made-up log (each call its own transaction unless given). */
export function decodedEvent(
  eventName: WatchedEventName,
  args: Record<string, unknown>,
  log: Partial<Log<bigint, number, false>> & { blockTimestamp?: bigint | undefined } = {},
): DecodedEvent {
  logCounter++;
  const txHash = `0x${logCounter.toString(16).padStart(64, "0")}` as Hex;
  return {
    eventName,
    args,
    log: {
      address: "0x00000000000000000000000000000000000000d1",
      blockHash: `0x${"b".repeat(64)}`,
      blockNumber: 100n,
      data: "0x",
      logIndex: 0,
      removed: false,
      topics: [],
      transactionHash: txHash,
      transactionIndex: 0,
      blockTimestamp: 1_700_000_000n,
      ...log,
    } as Log<bigint, number, false>,
  };
}
