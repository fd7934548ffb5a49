import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { createCheckpointStore } from "../../lambdas/shared/stores/checkpoints";
import { chainEventId, createEventStore } from "../../lambdas/shared/stores/events";
import { metricNames } from "../../lambdas/contract";
import { defaultCheckpointName, runWatcher } from "../../lambdas/watcher/watcher";
import { baseConfig, freshTables, recordMetrics, watcherDeps } from "../fixtures/watcher/watcher-env";
import {
  secret,
  buyerKey,
  otherBuyerKey,
  buyer,
  db,
  receiver,
  fixture,
  client,
  sellerId,
  commit,
  call,
  mine,
  nextBlock,
  newOffer,
  countingClient,
  useWatcherWorld,
} from "./watcher-world";

/** How the watcher reads the chain: confirmations and reorgs, the checkpoint, bounded log ranges. */

useWatcherWorld();

describe("watcher over the protocol fixture", () => {
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
