/**
 * Overlapping watcher runs (a slow run still going when the next schedule
 * fires): the run that loses the checkpoint race stops as a transient outcome
 * (no failed-run metric, nothing thrown, so nothing dead-lettered), and each
 * webhook is sent once. A pending delivery another run holds is left to it
 * until its claim runs out.
 */
import { parseEther, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { runJob } from "../../lambdas/shared/runtime/run-job";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../../lambdas/shared/runtime/metrics";
import { createEventStore } from "../../lambdas/shared/stores/events";
import { watcherJob, type WatcherOutcome } from "../../lambdas/watcher/job";
import { runWatcher, type WatcherDeps } from "../../lambdas/watcher/watcher";
import { baseConfig, freshTables, watcherDeps } from "../fixtures/watcher/watcher-env";
import type { Anvil } from "../harness/anvil";
import type { Dynalite } from "../harness/dynalite";
import { captureStdout } from "../harness/job-output";
import { anvilKeys, createOffer, createSeller, send, type FixtureDeployment } from "../harness/protocol-fixture";
import type { WebhookReceiver } from "../harness/webhook-receiver";
import { startWatcherPeers, webhookSecret } from "../harness/watcher-peers";

const secret = webhookSecret();
const buyerKey = anvilKeys[2];
const buyer = privateKeyToAccount(buyerKey).address;
const price = parseEther("0.01");

let anvil: Anvil;
let db: Dynalite;
let receiver: WebhookReceiver;
let fixture: FixtureDeployment;
let sellerId: bigint;

beforeAll(async () => {
  ({ anvil, db, receiver, fixture } = await startWatcherPeers(secret));
  const kit = privateKeyToAccount(anvilKeys[1]).address;
  ({ sellerId } = await createSeller(fixture, kit, kit));
});
afterAll(async () => {
  await Promise.all([anvil?.stop(), db?.stop(), receiver?.stop()]);
});
beforeEach(() => receiver.reset());

async function commits(count: number): Promise<bigint> {
  const startBlock = (await fixture.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
  const offerId = await createOffer(fixture, sellerId, { price });
  for (let index = 0; index < count; index++) {
    await send(fixture, fixture.wallet(buyerKey), {
      address: fixture.diamond,
      abi: fixture.abi,
      functionName: "commitToOffer",
      args: [buyer, offerId],
      value: price,
    });
  }
  await fixture.testClient.mine({ blocks: 3 });
  return startBlock;
}

it("two overlapping runs: no failed-run metric, no dead letter, no duplicate webhook", async () => {
  const startBlock = await commits(3);
  const tables = await freshTables(db);
  const config = baseConfig(fixture.diamond, sellerId, { startBlock });
  const client = fixture.publicClient as PublicClient;
  const second = watcherDeps({ db, tables, client, config, secret, endpoints: [receiver.url] });
  let secondDone: Promise<unknown> = Promise.resolve();
  const firstBase = watcherDeps({ db, tables, client, config, secret, endpoints: [receiver.url] });
  // The first run is slow to move its checkpoint: the second one, started meanwhile, moves it first.
  const first: WatcherDeps = {
    ...firstBase,
    checkpoints: {
      ...firstBase.checkpoints,
      advance: async (...args) => {
        await secondDone;
        return firstBase.checkpoints.advance(...args);
      },
    },
  };
  // Both through the job wrapper that reports every run (its outcome metric, its log line).
  const reporting = () => ({ logger: createJobLogger("watcher"), metrics: createJobMetrics("watcher", "test") });
  const output = captureStdout();
  let slow: WatcherOutcome;
  let fast: WatcherOutcome;
  try {
    const firstRun = runJob(watcherJob, { ...first, ...reporting() });
    const secondRun = runJob(watcherJob, { ...second, ...reporting() });
    secondDone = secondRun.catch(() => undefined);
    [slow, fast] = await Promise.all([firstRun, secondRun]);
  } finally {
    output.restore();
  }

  expect(fast).toMatchObject({ status: "succeeded", caughtUp: true, overtaken: false, deadLettered: 0 });
  expect(slow).toMatchObject({
    status: "transient",
    reason: "overtaken",
    overtaken: true,
    caughtUp: false,
    deadLettered: 0,
  });
  // Each BuyerCommitted sent once, whichever run stored it.
  const ids = receiver.delivered().map((call) => call.id);
  expect(ids).toHaveLength(3);
  expect(new Set(ids).size).toBe(3);
  expect((slow.delivered ?? 0) + (fast.delivered ?? 0)).toBe(3);
  expect(await createEventStore(db.documents, tables.events).listDeadLettered()).toEqual([]);
  // The overtaken run is transient, never failed: no page.
  expect(output.metricValues("JobFailed")).toEqual([]);
  expect(output.metricValues("JobTransient")).toEqual([1]);
  expect(output.metricValues("JobSucceeded")).toEqual([1]);
});

it("leaves a pending webhook to the run that holds it, and sends it once after that run's claim runs out", async () => {
  const startBlock = await commits(1);
  const tables = await freshTables(db);
  const config = baseConfig(fixture.diamond, sellerId, { startBlock });
  const client = fixture.publicClient as PublicClient;
  // A run that stored the event and died before sending it.
  const crashed = watcherDeps({ db, tables, client, config, secret, endpoints: [receiver.url] });
  await expect(
    runWatcher({ ...crashed, webhooks: { deliver: () => Promise.reject(new Error("Task timed out")) } }),
  ).rejects.toThrow(/timed out/);
  expect(receiver.calls).toHaveLength(0);

  // An overlapping run within the claim: the event is the other run's to send.
  const during = await runWatcher(watcherDeps({ db, tables, client, config, secret, endpoints: [receiver.url] }));
  expect(during).toMatchObject({ duplicates: 1, delivered: 0 });
  expect(receiver.calls).toHaveLength(0);

  // After the claim (2 minutes), the next run takes it over and sends it once; the one after has nothing to send.
  const later = () => new Date(Date.now() + 3 * 60_000);
  const after = await runWatcher({
    ...watcherDeps({
      db,
      tables,
      client,
      config: { ...config, checkpointName: "after" },
      secret,
      endpoints: [receiver.url],
    }),
    now: later,
  });
  expect(after).toMatchObject({ duplicates: 1, delivered: 1 });
  const again = await runWatcher({
    ...watcherDeps({
      db,
      tables,
      client,
      config: { ...config, checkpointName: "again" },
      secret,
      endpoints: [receiver.url],
    }),
    now: later,
  });
  expect(again).toMatchObject({ duplicates: 1, delivered: 0 });
  expect(receiver.delivered()).toHaveLength(1);
});
