import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { createCheckpointStore } from "../../lambdas/shared/stores/checkpoints";
import { chainEventId, createEventStore } from "../../lambdas/shared/stores/events";
import { metricNames } from "../../lambdas/contract";
import { createSellerRecords } from "../../lambdas/watcher/seller-records";
import { redeliverDeadLetters } from "../../lambdas/watcher/redeliver";
import { defaultCheckpointName, runWatcher } from "../../lambdas/watcher/watcher";
import { baseConfig, fastRetry, freshTables, recordMetrics, watcherDeps } from "../fixtures/watcher/watcher-env";
import { anvilKeys } from "../harness/protocol-fixture";
import {
  secret,
  kitKey,
  buyerKey,
  otherBuyerKey,
  kit,
  buyer,
  db,
  receiver,
  fixture,
  client,
  sellerId,
  otherSellerId,
  commit,
  call,
  mine,
  nextBlock,
  newOffer,
  countingClient,
  useWatcherWorld,
} from "./watcher-world";

/** The watcher's deliveries: stored events, signed webhooks, retries and dead letters, dispute and upgrade alerts. */

useWatcherWorld();

describe("watcher over the protocol fixture", () => {
  it("stores the seller's exchange events once, sends one signed webhook each, ignores other sellers, counts the kit's gas", async () => {
    const tables = await freshTables(db);
    const metrics = recordMetrics();
    const config = baseConfig(fixture.diamond, sellerId, { startBlock: await nextBlock(), kitAddresses: [kit] });
    const offerId = await newOffer();
    const otherOfferId = await newOffer(otherSellerId);
    const committed = await commit(kitKey, buyer, offerId); // the kit commits for the buyer: its gas counts
    await commit(otherBuyerKey, privateKeyToAccount(otherBuyerKey).address, otherOfferId); // another seller's exchange
    const redeemed = await call(buyerKey, "redeemVoucher", [committed.exchangeId]);
    await mine(2);

    const deps = watcherDeps({ db, tables, client, config, secret, endpoints: [receiver.url], metrics });
    const result = await runWatcher(deps);
    expect(result).toMatchObject({ stored: 2, duplicates: 0, delivered: 2, deadLettered: 0, caughtUp: true });

    const delivered = receiver.delivered();
    expect(delivered.map((call) => call.payload?.type)).toEqual(["boson.buyer_committed", "boson.voucher_redeemed"]);
    expect(delivered.map((call) => call.id)).toEqual([
      chainEventId(committed.hash, 2),
      expect.stringMatching(new RegExp(`^${redeemed.hash.toLowerCase()}#`)),
    ]);
    expect(delivered[0]?.payload?.data).toMatchObject({
      exchangeId: committed.exchangeId.toString(),
      offerId: offerId.toString(),
      sellerId: sellerId.toString(),
    });

    const events = createEventStore(db.documents, tables.events);
    const stored = await events.get(chainEventId(committed.hash, 2));
    expect(stored).toMatchObject({ eventName: "BuyerCommitted", delivery: { status: "delivered" } });

    // The kit's commit paid gas for this exchange; the buyer's redeem did not count.
    const receipt = await client.getTransactionReceipt({ hash: committed.hash });
    const exchange = await createSellerRecords(db.documents, tables.events).getExchange(committed.exchangeId);
    expect(exchange?.gasByTx).toEqual({
      [committed.hash.toLowerCase()]: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
    });
    expect(exchange?.exposure?.gasWei).toBe((receipt.gasUsed * receipt.effectiveGasPrice).toString());
    expect(metrics.sum(metricNames.gasSpentWei)).toBe(Number(receipt.gasUsed * receipt.effectiveGasPrice));

    // The checkpoint is at head - confirmations; a second run has nothing to read.
    const checkpoint = await createCheckpointStore(db.documents, tables.checkpoints).read(
      defaultCheckpointName(config),
    );
    expect(checkpoint?.lastBlock).toBe(result.finalBlock);
    expect(await runWatcher(deps)).toMatchObject({ ranges: 0, stored: 0 });
    expect(receiver.calls).toHaveLength(2);
  });

  it("sends one webhook when the same events are seen twice (a re-read range)", async () => {
    const tables = await freshTables(db);
    const config = baseConfig(fixture.diamond, sellerId, { startBlock: await nextBlock() });
    const offerId = await newOffer();
    await commit(buyerKey, buyer, offerId);
    await mine(2);
    const first = await runWatcher(watcherDeps({ db, tables, client, config, secret, endpoints: [receiver.url] }));
    expect(first).toMatchObject({ stored: 1, delivered: 1 });
    // Another run whose checkpoint is behind (a lost checkpoint, two overlapping runs): same range again.
    const again = await runWatcher(
      watcherDeps({
        db,
        tables,
        client,
        config: { ...config, checkpointName: "replay" },
        secret,
        endpoints: [receiver.url],
      }),
    );
    expect(again).toMatchObject({ stored: 0, duplicates: 1, delivered: 0 });
    expect(receiver.calls).toHaveLength(1);
  });

  it("learns an offer created before it started through the protocol's getOffer, once", async () => {
    const tables = await freshTables(db);
    const offerId = await newOffer(); // before the start block: no OfferCreated in range
    const otherOfferId = await newOffer(otherSellerId);
    const config = baseConfig(fixture.diamond, sellerId, { startBlock: await nextBlock() });
    const first = await commit(buyerKey, buyer, offerId);
    await commit(buyerKey, buyer, otherOfferId);
    await commit(otherBuyerKey, privateKeyToAccount(otherBuyerKey).address, offerId);
    await mine(2);
    const { client: counting, calls } = countingClient();
    const result = await runWatcher(
      watcherDeps({ db, tables, client: counting, config, secret, endpoints: [receiver.url] }),
    );
    expect(result).toMatchObject({ stored: 2, delivered: 2 });
    expect(receiver.delivered()[0]?.id).toBe(chainEventId(first.hash, 2));
    // One getOffer per offer (the seller's and the other seller's), not per event.
    expect(calls.filter((method) => method === "eth_call")).toHaveLength(2);
    expect(await createSellerRecords(db.documents, tables.events).getOffer(offerId)).toMatchObject({
      sellerId: sellerId.toString(),
    });
  });

  it("retries a fulfillment endpoint answering 500, then dead-letters the event and keeps it", async () => {
    const tables = await freshTables(db);
    const metrics = recordMetrics();
    const config = baseConfig(fixture.diamond, sellerId, { startBlock: await nextBlock() });
    const offerId = await newOffer();
    const { hash, exchangeId } = await commit(buyerKey, buyer, offerId);
    await mine(2);
    receiver.failWith(500);
    const result = await runWatcher(
      watcherDeps({ db, tables, client, config, secret, endpoints: [receiver.url], metrics }),
    );
    expect(result).toMatchObject({ stored: 1, delivered: 0, deadLettered: 1, caughtUp: true });
    expect(receiver.calls.map((call) => call.status)).toEqual(Array(fastRetry.maxAttempts).fill(500));
    expect(receiver.calls.every((call) => call.verified)).toBe(true);
    expect(metrics.sum(metricNames.webhookDeadLettered)).toBe(1);

    const dead = await createEventStore(db.documents, tables.events).listDeadLettered();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      id: chainEventId(hash, 2),
      exchangeId: exchangeId.toString(),
      eventName: "BuyerCommitted",
      delivery: { status: "dead-lettered" },
    });
    expect(dead[0]?.args).toMatchObject({ exchangeId: exchangeId.toString(), offerId: offerId.toString() });
    // A later run does not resend it on its own (replay is an operator's decision)...
    receiver.reset();
    await mine(1);
    const later = watcherDeps({
      db,
      tables,
      client,
      config: { ...config, checkpointName: "replay" },
      secret,
      endpoints: [receiver.url],
    });
    expect(await runWatcher(later)).toMatchObject({ delivered: 0, duplicates: 1 });
    expect(receiver.calls).toHaveLength(0);
    // ...and the replay sends it with its original webhook-id.
    if (later.webhooks === undefined) throw new Error("built with endpoints above");
    const replay = await redeliverDeadLetters({
      events: later.events,
      webhooks: later.webhooks,
      sellerId,
      logger: later.logger,
    });
    expect(replay).toEqual({ delivered: [chainEventId(hash, 2)], stillDead: [] });
    expect(receiver.delivered().map((call) => call.id)).toEqual([chainEventId(hash, 2)]);
    expect(await createEventStore(db.documents, tables.events).listDeadLettered()).toEqual([]);
  });

  it("alerts on a dispute, and again when it has been open for more than a day of chain time", async () => {
    const tables = await freshTables(db);
    const metrics = recordMetrics();
    const config = baseConfig(fixture.diamond, sellerId, { startBlock: await nextBlock() });
    const offerId = await newOffer();
    const deps = watcherDeps({ db, tables, client, config, secret, endpoints: [receiver.url], metrics });
    const { exchangeId } = await commit(buyerKey, buyer, offerId);
    await call(buyerKey, "redeemVoucher", [exchangeId]);
    await call(buyerKey, "raiseDispute", [exchangeId]);
    await mine(2);
    const raised = await runWatcher(deps);
    expect(raised).toMatchObject({ disputesRaised: 1, disputesOpenOverOneDay: [] });
    expect(metrics.sum(metricNames.disputeRaised)).toBe(1);
    expect(metrics.values(metricNames.disputesOpenOverOneDay)).toEqual([0]);
    expect(receiver.delivered().map((call) => call.payload?.type)).toContain("boson.dispute_raised");

    await fixture.testClient.increaseTime({ seconds: 86_401 });
    await mine(1);
    const late = await runWatcher(deps);
    expect(late.disputesOpenOverOneDay).toEqual([exchangeId.toString()]);
    expect(late.disputesRaised).toBe(0); // the first alert is not repeated
    expect(metrics.values(metricNames.disputesOpenOverOneDay)).toEqual([0, 1]);

    await call(buyerKey, "retractDispute", [exchangeId]);
    await mine(2);
    expect((await runWatcher(deps)).disputesOpenOverOneDay).toEqual([]);
    expect(metrics.values(metricNames.disputesOpenOverOneDay)).toEqual([0, 1, 0]);
  });

  it("alerts on a DiamondCut without sending it to fulfillment", async () => {
    const tables = await freshTables(db);
    const metrics = recordMetrics();
    const config = baseConfig(fixture.diamond, sellerId, { startBlock: await nextBlock() });
    const cut = await call(anvilKeys[0], "testOnly_emitDiamondCut", [
      [{ facetAddress: kit, action: 0, functionSelectors: ["0x12345678"] }],
      kit,
      "0x",
    ]);
    await mine(2);
    const result = await runWatcher(
      watcherDeps({ db, tables, client, config, secret, endpoints: [receiver.url], metrics }),
    );
    expect(result).toMatchObject({ upgrades: 1, stored: 1, delivered: 0 });
    expect(metrics.sum(metricNames.diamondCutSeen)).toBe(1);
    expect(await createEventStore(db.documents, tables.events).get(chainEventId(cut.hash, 0))).toMatchObject({
      eventName: "DiamondCut",
    });
    expect(receiver.calls).toHaveLength(0);
  });
});
