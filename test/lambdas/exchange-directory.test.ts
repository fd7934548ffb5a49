import type { PublicClient } from "viem";
import { describe, expect, it } from "vitest";
import { createExchangeDirectory } from "../../lambdas/watcher/exchange-directory";
import { decodedEvent, memorySellerRecords, offer, silentLogger } from "../harness/watcher-fakes";

const diamond = "0x00000000000000000000000000000000000000d1";
const seller = 7n;
const otherSeller = 8n;

/** The protocol's views as a client would return them: offer 1 is the seller's, offer 2 another seller's; exchange n belongs to offer n. */
function protocolViews() {
  const reads: string[] = [];
  const offers: Record<string, bigint> = { "1": seller, "2": otherSeller };
  const client = {
    readContract: async ({ functionName, args }: { functionName: string; args: readonly bigint[] }) => {
      const id = args[0] ?? 0n;
      reads.push(`${functionName} ${id}`);
      if (functionName === "getOffer") {
        const sellerId = offers[id.toString()];
        if (sellerId === undefined) return [false, {}, {}, {}, {}, {}];
        return [
          true,
          { sellerId, price: 1000n, exchangeToken: "0x0000000000000000000000000000000000000000" },
          {},
          {},
          { feeAmount: 5n },
          { protocolFee: 10n, agentFee: 1n },
        ];
      }
      if (functionName === "getExchange") return id === 99n ? [false, {}, {}] : [true, { offerId: id }, {}];
      throw new Error(`unexpected read ${functionName}`);
    },
  } as unknown as Pick<PublicClient, "readContract">;
  return { client, reads };
}

function directory() {
  const views = protocolViews();
  const records = memorySellerRecords();
  return {
    ...views,
    records,
    directory: createExchangeDirectory({
      client: views.client,
      records,
      logger: silentLogger(),
      diamond,
      sellerId: seller,
    }),
  };
}

describe("exchange directory", () => {
  it("finds the seller's exchange from the offer an event names, reads the offer once a run, and keeps the exchange", async () => {
    const { directory: lookup, reads, records } = directory();
    const first = await lookup.sellersExchange(
      decodedEvent("BuyerCommitted", { offerId: 1n, exchangeId: 10n, buyerId: 3n }),
    );
    const again = await lookup.sellersExchange(decodedEvent("VoucherRedeemed", { offerId: 1n, exchangeId: 10n }));
    expect(first).toMatchObject({
      exchangeId: 10n,
      offer: { offerId: "1", sellerId: "7", protocolFee: "10", agentFee: "1", disputeResolverFee: "5" },
    });
    expect(again).toEqual(first);
    expect(reads).toEqual(["getOffer 1"]);
    expect(records.offers.get("1")?.sellerId).toBe("7");
    expect(records.exchanges.get("10")).toMatchObject({ offerId: "1", sellerId: "7", feeEvents: {}, gasByTx: {} });
  });

  it("answers undefined for another seller's exchange, without keeping it as the seller's", async () => {
    const { directory: lookup, records, reads } = directory();
    expect(
      await lookup.sellersExchange(decodedEvent("BuyerCommitted", { offerId: 2n, exchangeId: 20n })),
    ).toBeUndefined();
    expect(
      await lookup.sellersExchange(decodedEvent("VoucherRedeemed", { offerId: 2n, exchangeId: 20n })),
    ).toBeUndefined();
    expect(records.exchanges.has("20")).toBe(false);
    expect(reads).toEqual(["getOffer 2"]);
  });

  it("rejects an event naming another seller before any lookup", async () => {
    const { directory: lookup, reads, records } = directory();
    expect(
      await lookup.sellersExchange(
        decodedEvent("DisputeRaised", { exchangeId: 10n, buyerId: 3n, sellerId: otherSeller }),
      ),
    ).toBeUndefined();
    expect(reads).toEqual([]);
    expect(records.calls).toEqual([]);
  });

  it("reads an exchange the event names without its offer through getExchange, once, and keeps it for other sellers too", async () => {
    const { directory: lookup, reads, records } = directory();
    expect(await lookup.sellersExchange(decodedEvent("DisputeRetracted", { exchangeId: 1n }))).toMatchObject({
      exchangeId: 1n,
      offer: { offerId: "1" },
    });
    expect(await lookup.sellersExchange(decodedEvent("DisputeExpired", { exchangeId: 1n }))).toMatchObject({
      exchangeId: 1n,
    });
    expect(await lookup.sellersExchange(decodedEvent("DisputeRetracted", { exchangeId: 2n }))).toBeUndefined();
    expect(reads).toEqual(["getExchange 1", "getOffer 1", "getExchange 2", "getOffer 2"]);
    expect([...records.exchanges.keys()].sort()).toEqual(["1", "2"]);
  });

  it("uses the stored exchange and offer instead of the protocol's views", async () => {
    const { directory: lookup, reads, records } = directory();
    records.offers.set("5", offer(5n, seller));
    await records.ensureExchange({
      exchangeId: "50",
      offerId: "5",
      sellerId: "7",
      exchangeToken: "0x0000000000000000000000000000000000000000",
    });
    expect(await lookup.sellersExchange(decodedEvent("DisputeRetracted", { exchangeId: 50n }))).toMatchObject({
      exchangeId: 50n,
      offer: { offerId: "5" },
    });
    expect(reads).toEqual([]);
  });

  it("answers undefined for an exchange the protocol does not know, and for an event without an exchange", async () => {
    const { directory: lookup } = directory();
    expect(await lookup.sellersExchange(decodedEvent("DisputeRetracted", { exchangeId: 99n }))).toBeUndefined();
    expect(await lookup.sellersExchange(decodedEvent("DiamondCut", {}))).toBeUndefined();
  });

  it("remembers an offer seen in OfferCreated: later events about it need no getOffer", async () => {
    const { directory: lookup, reads, records } = directory();
    await lookup.rememberOffer(offer(3n, seller));
    expect(
      await lookup.sellersExchange(decodedEvent("BuyerCommitted", { offerId: 3n, exchangeId: 30n })),
    ).toMatchObject({ exchangeId: 30n });
    expect(reads).toEqual([]);
    expect(records.offers.has("3")).toBe(true);
  });
});
