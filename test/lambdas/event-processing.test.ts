import type { PublicClient } from "viem";
import { describe, expect, it } from "vitest";
import type { Delivery } from "../../lambdas/shared/stores/events";
import type { WebhookMessage, WebhookSender } from "../../lambdas/shared/webhooks/delivery";
import {
  addTallies,
  createEventProcessor,
  emptyTally,
  eventRecord,
  type EventProcessorDeps,
} from "../../lambdas/watcher/event-processing";
import type { ExchangeDirectory, ExchangeOwner } from "../../lambdas/watcher/exchange-directory";
import type { DecodedEvent } from "../../lambdas/watcher/events";
import { recordMetrics } from "../fixtures/watcher/watcher-env";
import { decodedEvent, memoryEventStore, memorySellerRecords, offer, silentLogger } from "../harness/watcher-fakes";

const seller = 7n;
const owner: ExchangeOwner = { exchangeId: 10n, offer: offer(1n, seller) };

/** The seller owns exchange 10 only. */
const directory = (remembered: string[] = []): ExchangeDirectory => ({
  rememberOffer: async (record) => void remembered.push(record.offerId),
  sellersExchange: async (event: DecodedEvent) => (event.args.exchangeId === 10n ? owner : undefined),
});

function webhooks(status: Delivery["status"]): WebhookSender & { sent: WebhookMessage[] } {
  const sent: WebhookMessage[] = [];
  return { sent, deliver: async (message) => (sent.push(message), { status, endpoints: {} }) };
}

function processor(
  overrides: Partial<Pick<EventProcessorDeps, "client" | "webhooks" | "directory" | "exposure">> = {},
) {
  const deps = { events: memoryEventStore(), records: memorySellerRecords(), metrics: recordMetrics() };
  const process = createEventProcessor({
    client: { getBlock: async () => ({ timestamp: 1_700_000_000n }) } as unknown as Pick<PublicClient, "getBlock">,
    directory: directory(),
    exposure: { attributeGas: async () => 0n },
    logger: silentLogger(),
    sellerId: seller,
    now: () => new Date("2026-01-01T00:00:00Z"),
    ...deps,
    ...overrides,
  });
  return { deps, process };
}

describe("event processing", () => {
  it("stores the seller's exchange event once and counts the replay as a duplicate", async () => {
    const { process, deps } = processor();
    const event = decodedEvent("VoucherRedeemed", { offerId: 1n, exchangeId: 10n });
    expect(await process(event)).toEqual({ tally: { ...emptyTally(), stored: 1 }, owner });
    expect(await process(event)).toEqual({ tally: { ...emptyTally(), duplicates: 1 }, owner });
    expect([...deps.events.items.values()]).toMatchObject([
      { eventName: "VoucherRedeemed", exchangeId: "10", offerId: "1", blockTimestamp: 1_700_000_000 },
    ]);
  });

  it("counts nothing for another seller's event and stores nothing", async () => {
    const { process, deps } = processor();
    expect(await process(decodedEvent("VoucherRedeemed", { offerId: 2n, exchangeId: 20n }))).toEqual({
      tally: emptyTally(),
    });
    expect(deps.events.items.size).toBe(0);
  });

  it("delivers an exchange event and counts the delivery; a dead letter is counted, alerted and recorded", async () => {
    const delivered = processor({ webhooks: webhooks("delivered") });
    expect((await delivered.process(decodedEvent("BuyerCommitted", { offerId: 1n, exchangeId: 10n }))).tally).toEqual({
      ...emptyTally(),
      stored: 1,
      delivered: 1,
    });

    const sender = webhooks("dead-lettered");
    const failing = processor({ webhooks: sender });
    const event = decodedEvent("BuyerCommitted", { offerId: 1n, exchangeId: 10n });
    expect((await failing.process(event)).tally).toEqual({ ...emptyTally(), stored: 1, deadLettered: 1 });
    expect(failing.deps.metrics.values("WebhookDeadLettered")).toEqual([1]);
    expect(sender.sent.map((message) => message.type)).toEqual(["boson.buyer_committed"]);
    expect([...failing.deps.events.items.values()][0]?.delivery?.status).toBe("dead-lettered");
  });

  it("re-sends a duplicate only while its delivery is still pending", async () => {
    const sender = webhooks("delivered");
    const { process, deps } = processor({ webhooks: sender });
    const event = decodedEvent("VoucherRedeemed", { offerId: 1n, exchangeId: 10n });
    await deps.events.putOnce(eventRecord(event, 1_700_000_000, new Date(), owner, true));
    expect((await process(event)).tally).toEqual({ ...emptyTally(), duplicates: 1, delivered: 1 });
    expect((await process(event)).tally).toEqual({ ...emptyTally(), duplicates: 1 });
    expect(sender.sent).toHaveLength(1);
  });

  it("opens a dispute on DisputeRaised (counted once) and closes it on a closing event", async () => {
    const { process, deps } = processor();
    const raised = decodedEvent(
      "DisputeRaised",
      { exchangeId: 10n, buyerId: 3n, sellerId: seller },
      { blockTimestamp: 1_700_000_500n },
    );
    expect((await process(raised)).tally).toEqual({ ...emptyTally(), stored: 1, disputesRaised: 1 });
    expect((await process(raised)).tally).toEqual({ ...emptyTally(), duplicates: 1 });
    expect(deps.metrics.values("DisputeRaised")).toEqual([1]);
    expect(Object.fromEntries(deps.records.disputes)).toEqual({ "10": 1_700_000_500 });
    await process(decodedEvent("DisputeResolved", { exchangeId: 10n, _buyerPercent: 5000n }));
    expect(deps.records.disputes.size).toBe(0);
  });

  it("keeps fee facts by kind and attributes gas through the exposure tracker", async () => {
    const attributed: string[] = [];
    const { process, deps } = processor({
      exposure: { attributeGas: async (event) => (attributed.push(event.eventName), 0n) },
    });
    await deps.records.ensureExchange({
      exchangeId: "10",
      offerId: "1",
      sellerId: "7",
      exchangeToken: owner.offer.exchangeToken,
    });
    await process(decodedEvent("ProtocolFeeCollected", { exchangeId: 10n, amount: 12n }));
    await process(decodedEvent("DRFeeRequested", { exchangeId: 10n, feeAmount: 4n }));
    expect(Object.values(deps.records.exchanges.get("10")?.feeEvents ?? {})).toEqual([
      { kind: "protocol", amount: "12" },
      { kind: "dispute-resolver", amount: "4" },
    ]);
    expect(attributed).toEqual(["ProtocolFeeCollected", "DRFeeRequested"]);
  });

  it("counts a protocol upgrade once, whoever's it is, and raises its alert metric", async () => {
    const { process, deps } = processor();
    const cut = decodedEvent("DiamondCut", {
      _diamondCut: [],
      _init: "0x0000000000000000000000000000000000000000",
      _calldata: "0x",
    });
    expect(await process(cut)).toEqual({ tally: { ...emptyTally(), stored: 1, upgrades: 1 } });
    expect(await process(cut)).toEqual({ tally: { ...emptyTally(), duplicates: 1 } });
    expect(deps.metrics.values("DiamondCutSeen")).toEqual([1]);
  });

  it("hands OfferCreated's offer to the directory and counts nothing", async () => {
    const remembered: string[] = [];
    const { process } = processor({ directory: directory(remembered) });
    const created = decodedEvent("OfferCreated", {
      offerId: 4n,
      sellerId: seller,
      offer: { sellerId: seller, price: 1n, exchangeToken: owner.offer.exchangeToken },
      disputeResolutionTerms: {},
      offerFees: {},
    });
    expect(await process(created)).toEqual({ tally: emptyTally() });
    expect(remembered).toEqual(["4"]);
  });

  it("reads a block's time once when the log does not carry it", async () => {
    let reads = 0;
    const client = { getBlock: async () => (reads++, { timestamp: 1_700_000_900n }) } as unknown as Pick<
      PublicClient,
      "getBlock"
    >;
    const { process, deps } = processor({ client });
    await process(decodedEvent("VoucherRedeemed", { exchangeId: 10n }, { blockTimestamp: undefined, blockNumber: 5n }));
    await process(decodedEvent("VoucherCanceled", { exchangeId: 10n }, { blockTimestamp: undefined, blockNumber: 5n }));
    expect(reads).toBe(1);
    expect([...deps.events.items.values()].map((item) => item.blockTimestamp)).toEqual([1_700_000_900, 1_700_000_900]);
  });

  it("adds tallies field by field", () => {
    const one = {
      stored: 1,
      duplicates: 2,
      delivered: 3,
      deadLettered: 4,
      upgrades: 5,
      disputesRaised: 6,
      sellerAccountChanges: 7,
    };
    expect(addTallies(one, one)).toEqual({
      stored: 2,
      duplicates: 4,
      delivered: 6,
      deadLettered: 8,
      upgrades: 10,
      disputesRaised: 12,
      sellerAccountChanges: 14,
    });
  });
});
