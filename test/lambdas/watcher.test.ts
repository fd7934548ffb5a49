import { randomBytes } from "node:crypto";
import { createPublicClient, custom, http, parseEther, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCheckpointStore } from "../../lambdas/shared/stores/checkpoints";
import { chainEventId, createEventStore } from "../../lambdas/shared/stores/events";
import { metricNames } from "../../lambdas/contract";
import { createSellerRecords } from "../../lambdas/watcher/seller-records";
import { redeliverDeadLetters } from "../../lambdas/watcher/redeliver";
import { defaultCheckpointName, runWatcher } from "../../lambdas/watcher/watcher";
import { baseConfig, fastRetry, freshTables, recordMetrics, watcherDeps } from "../fixtures/watcher/watcher-env";
import { startAnvil, type Anvil } from "../harness/anvil";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import {
  anvilKeys,
  createOffer,
  createSeller,
  deployProtocolFixture,
  send,
  type FixtureDeployment,
} from "../harness/protocol-fixture";
import { startWebhookReceiver, type WebhookReceiver } from "../harness/webhook-receiver";

const secret = `whsec_${randomBytes(32).toString("base64")}`;
const kitKey = anvilKeys[1];
const buyerKey = anvilKeys[2];
const otherBuyerKey = anvilKeys[3];
const kit = privateKeyToAccount(kitKey).address;
const buyer = privateKeyToAccount(buyerKey).address;
const price = parseEther("0.01");

let anvil: Anvil;
let db: Dynalite;
let receiver: WebhookReceiver;
let fixture: FixtureDeployment;
let client: PublicClient;
let sellerId: bigint;
let otherSellerId: bigint;

beforeAll(async () => {
  [anvil, db, receiver] = await Promise.all([startAnvil(), startDynalite(), startWebhookReceiver(secret)]);
  fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  client = fixture.publicClient as PublicClient;
  ({ sellerId } = await createSeller(fixture, kit, kit));
  ({ sellerId: otherSellerId } = await createSeller(
    fixture,
    fixture.deployer.account.address,
    fixture.deployer.account.address,
  ));
});
afterAll(async () => {
  await Promise.all([anvil?.stop(), db?.stop(), receiver?.stop()]);
});
beforeEach(() => {
  receiver.reset();
});

async function commit(key: Hex, forBuyer: Address, offer: bigint): Promise<{ hash: Hex; exchangeId: bigint }> {
  const next = (await client.readContract({
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "getNextExchangeId",
  })) as bigint;
  const { hash } = await send(fixture, fixture.wallet(key), {
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "commitToOffer",
    args: [forBuyer, offer],
    value: price,
  });
  return { hash, exchangeId: next };
}
const call = (key: Hex, functionName: string, args: readonly unknown[]) =>
  send(fixture, fixture.wallet(key), { address: fixture.diamond, abi: fixture.abi, functionName, args });
const mine = (blocks: number) => fixture.testClient.mine({ blocks });
const nextBlock = async () => (await client.getBlockNumber({ cacheTime: 0 })) + 1n;
/** The seller's offer, created inside the watched range (the fixture has no getOffer: the watcher learns offers from OfferCreated). */
const newOffer = (seller: bigint = sellerId) =>
  createOffer(fixture, seller, { price, disputePeriodSeconds: 7n * 86_400n });

/** A client on anvil that records the JSON-RPC method of every request it makes. */
function countingClient(): { client: PublicClient; calls: string[] } {
  const calls: string[] = [];
  const inner = http(anvil.rpcUrl)({ chain: anvil.chain });
  const client = createPublicClient({
    chain: anvil.chain,
    transport: custom({
      request: async (args: { method: string; params?: unknown }) => {
        calls.push(args.method);
        return inner.request(args as never);
      },
    }),
  }) as PublicClient;
  return { client, calls };
}

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

  it("never stores or sends an event from a block that a reorg shallower than the confirmations removes", async () => {
    const tables = await freshTables(db);
    const config = baseConfig(fixture.diamond, sellerId, { startBlock: await nextBlock(), confirmations: 4 });
    const offerId = await newOffer();
    const deps = watcherDeps({ db, tables, client, config, secret, endpoints: [receiver.url] });
    await mine(4);
    const snapshot = await fixture.testClient.snapshot();
    const orphan = await commit(buyerKey, buyer, offerId); // block N
    await mine(1); // head N+1: depth 2 < 4 confirmations
    const before = await runWatcher(deps);
    expect(before.finalBlock).toBeLessThan((await client.getTransactionReceipt({ hash: orphan.hash })).blockNumber);
    expect(before.stored).toBe(0);

    await fixture.testClient.revert({ id: snapshot }); // a 2-block reorg: the commit never happened
    const replacement = await commit(otherBuyerKey, privateKeyToAccount(otherBuyerKey).address, offerId);
    await mine(4);
    const after = await runWatcher(deps);
    expect(after).toMatchObject({ stored: 1, delivered: 1 });
    const events = createEventStore(db.documents, tables.events);
    expect(await events.get(chainEventId(orphan.hash, 2))).toBeUndefined();
    expect(await events.get(chainEventId(replacement.hash, 2))).toBeDefined();
    expect(receiver.delivered().map((call) => call.id)).toEqual([chainEventId(replacement.hash, 2)]);
  });

  it("raises DeepReorgSeen when a reorg deeper than the confirmations replaced the checkpoint's block", async () => {
    const tables = await freshTables(db);
    const metrics = recordMetrics();
    const config = baseConfig(fixture.diamond, sellerId, { startBlock: await nextBlock(), confirmations: 2 });
    const deps = watcherDeps({ db, tables, client, config, metrics });
    await mine(2);
    const snapshot = await fixture.testClient.snapshot();
    await mine(4);
    const first = await runWatcher(deps);
    expect(metrics.sum(metricNames.deepReorgSeen)).toBe(0);
    const checkpoint = await createCheckpointStore(db.documents, tables.checkpoints).read(
      defaultCheckpointName(config),
    );
    expect(checkpoint?.blockHash).toBe((await client.getBlock({ blockNumber: first.finalBlock })).hash);

    await fixture.testClient.revert({ id: snapshot }); // 4 blocks gone: deeper than the 2 confirmations
    await fixture.testClient.increaseTime({ seconds: 13 }); // other timestamps, so other block hashes
    await mine(6);
    await runWatcher(deps);
    expect(metrics.sum(metricNames.deepReorgSeen)).toBe(1);
    await runWatcher(deps); // the new checkpoint is on the canonical chain again
    expect(metrics.sum(metricNames.deepReorgSeen)).toBe(1);
  });

  it("does not move the checkpoint when storing fails, and the next run completes the range without resending", async () => {
    const tables = await freshTables(db);
    const config = baseConfig(fixture.diamond, sellerId, { startBlock: await nextBlock() });
    const offerId = await newOffer();
    const first = await commit(buyerKey, buyer, offerId);
    const second = await commit(otherBuyerKey, privateKeyToAccount(otherBuyerKey).address, offerId);
    await mine(2);
    let puts = 0;
    const failing = watcherDeps({
      db,
      tables,
      client,
      config,
      secret,
      endpoints: [receiver.url],
      wrapEvents: (store) => ({
        ...store,
        putOnce: async (event) => {
          if (++puts === 2)
            throw Object.assign(new Error("Throughput exceeds the current capacity"), {
              name: "ProvisionedThroughputExceededException",
            });
          return store.putOnce(event);
        },
      }),
    });
    await expect(runWatcher(failing)).rejects.toThrow(/capacity/);
    const checkpoints = createCheckpointStore(db.documents, tables.checkpoints);
    expect(await checkpoints.read(defaultCheckpointName(config))).toBeUndefined();
    expect(receiver.delivered().map((call) => call.id)).toEqual([chainEventId(first.hash, 2)]);

    const retried = await runWatcher(watcherDeps({ db, tables, client, config, secret, endpoints: [receiver.url] }));
    expect(retried).toMatchObject({ stored: 1, duplicates: 1, delivered: 1 });
    expect(receiver.delivered().map((call) => call.id)).toEqual([
      chainEventId(first.hash, 2),
      chainEventId(second.hash, 2),
    ]);
    expect((await checkpoints.read(defaultCheckpointName(config)))?.lastBlock).toBe(retried.finalBlock);
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

  it("reads in bounded ranges, one eth_getLogs per range whatever the event types, and resumes where it stopped", async () => {
    const tables = await freshTables(db);
    const { client: counting, calls } = countingClient();
    const start = await nextBlock();
    const config = baseConfig(fixture.diamond, sellerId, { startBlock: start, maxBlockRange: 3n, maxRangesPerRun: 2 });
    const offerId = await newOffer();
    const { exchangeId } = await commit(buyerKey, buyer, offerId);
    await call(buyerKey, "redeemVoucher", [exchangeId]);
    await mine(10);
    const deps = watcherDeps({ db, tables, client: counting, config });
    const first = await runWatcher(deps);
    expect(first).toMatchObject({ ranges: 2, fromBlock: start, toBlock: start + 5n, caughtUp: false, stored: 2 });
    expect(calls.filter((method) => method === "eth_getLogs")).toHaveLength(2);
    calls.length = 0;
    const second = await runWatcher(deps);
    expect(second.fromBlock).toBe(start + 6n);
    expect(calls.filter((method) => method === "eth_getLogs")).toHaveLength(second.ranges);
    const third = await runWatcher(deps);
    expect(third.caughtUp).toBe(true);
    expect(third.toBlock ?? second.toBlock).toBe(third.finalBlock);

    // Close to the Lambda timeout, no new range starts: the checkpoint stays for the next run.
    await mine(5);
    let remaining = 40_000;
    const hurried = await runWatcher({ ...deps, remainingMs: () => (remaining -= 20_000) });
    expect(hurried).toMatchObject({ ranges: 1, caughtUp: false });
  });
});
