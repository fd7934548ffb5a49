import type { Logger } from "@aws-lambda-powertools/logger";
import type { Address, PublicClient } from "viem";
import { withToolCall } from "../shared/runtime/logger";
import { getExchangeAbi, getOfferAbi, optionalUintArg, type DecodedEvent } from "./events";
import { offerFromGetOffer, offerIdFromGetExchange } from "./protocol-views";
import type { OfferRecord, SellerRecords } from "./seller-records";

/**
 * Which exchange an event is about and whether it is the seller's. Facts come
 * from the seller records first and from the protocol's views otherwise, and
 * are cached for one run: each offer and exchange is looked up at most once.
 * Create one directory per run.
 */

export type ExchangeOwner = { exchangeId: bigint; offer: OfferRecord };

export type ExchangeDirectoryDeps = {
  client: Pick<PublicClient, "readContract">;
  records: SellerRecords;
  logger: Logger;
  diamond: Address;
  sellerId: bigint;
};

export interface ExchangeDirectory {
  /** Keeps an offer seen in OfferCreated, so later events about it need no getOffer call. */
  rememberOffer(offer: OfferRecord): Promise<void>;
  /** The seller's exchange an event is about, or undefined when it is another seller's or none. */
  sellersExchange(event: DecodedEvent): Promise<ExchangeOwner | undefined>;
}

export function createExchangeDirectory(deps: ExchangeDirectoryDeps): ExchangeDirectory {
  const { client, records, logger, diamond, sellerId } = deps;
  // null: looked up, and there is none.
  const offers = new Map<string, OfferRecord | null>();
  const exchanges = new Map<string, ExchangeOwner | null>();

  const keepExchange = (owner: ExchangeOwner) =>
    records.ensureExchange({
      exchangeId: owner.exchangeId.toString(),
      offerId: owner.offer.offerId,
      sellerId: owner.offer.sellerId,
      exchangeToken: owner.offer.exchangeToken,
    });

  async function resolveOffer(offerId: bigint): Promise<OfferRecord | undefined> {
    const key = offerId.toString();
    const cached = offers.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let offer = await records.getOffer(offerId);
    if (offer === undefined) {
      const read = await withToolCall(logger, { tool: "rpc", operation: "getOffer", details: { offerId: key } }, () =>
        client.readContract({ address: diamond, abi: getOfferAbi, functionName: "getOffer", args: [offerId] }),
      );
      offer = offerFromGetOffer(offerId, read);
      if (offer !== undefined) await records.putOffer(offer);
    }
    offers.set(key, offer ?? null);
    return offer;
  }

  async function resolveExchange(exchangeId: bigint): Promise<ExchangeOwner | undefined> {
    const key = exchangeId.toString();
    const cached = exchanges.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const stored = await records.getExchange(exchangeId);
    let offerId: bigint | undefined;
    if (stored !== undefined) offerId = BigInt(stored.offerId);
    else {
      const read = await withToolCall(logger, { tool: "rpc", operation: "getExchange", exchangeId: key }, () =>
        client.readContract({ address: diamond, abi: getExchangeAbi, functionName: "getExchange", args: [exchangeId] }),
      );
      offerId = offerIdFromGetExchange(read);
    }
    const offer = offerId === undefined ? undefined : await resolveOffer(offerId);
    const owner = offer === undefined ? undefined : { exchangeId, offer };
    // Kept for other sellers' exchanges too: their later events then need no getExchange call.
    if (owner !== undefined && stored === undefined) await keepExchange(owner);
    exchanges.set(key, owner ?? null);
    return owner;
  }

  const isSellers = (owner: ExchangeOwner | undefined): owner is ExchangeOwner =>
    owner !== undefined && BigInt(owner.offer.sellerId) === sellerId;

  return {
    async rememberOffer(offer) {
      offers.set(offer.offerId, offer);
      await records.putOffer(offer);
    },
    async sellersExchange(event) {
      const exchangeId = optionalUintArg(event.args, "exchangeId");
      if (exchangeId === undefined) return undefined;
      const eventSeller = optionalUintArg(event.args, "sellerId");
      if (eventSeller !== undefined && eventSeller !== sellerId) return undefined;
      const offerId = optionalUintArg(event.args, "offerId");
      if (offerId === undefined || exchanges.has(exchangeId.toString())) {
        const owner = await resolveExchange(exchangeId);
        return isSellers(owner) ? owner : undefined;
      }
      // The event names the offer: no getExchange call needed.
      const offer = await resolveOffer(offerId);
      const owner = offer === undefined ? undefined : { exchangeId, offer };
      exchanges.set(exchangeId.toString(), owner ?? null);
      if (!isSellers(owner)) return undefined;
      await keepExchange(owner);
      return owner;
    },
  };
}
