/**
 * The smoke job's test exchanges (the known smoke offer) are the kit's own, not
 * customers': the watcher stores their events tagged, and sends no webhook,
 * raises no dispute alert and counts nothing in the business figures for them.
 */
import { decodeEventLog, parseEther, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { metricNames } from "../../lambdas/contract/metrics-catalog";
import { createBusinessTally } from "../../lambdas/shared/stores/business-tally";
import { createEventStore } from "../../lambdas/shared/stores/events";
import { createSellerRecords } from "../../lambdas/watcher/seller-records";
import { runWatcher } from "../../lambdas/watcher/watcher";
import { baseConfig, freshTables, recordMetrics, watcherDeps } from "../fixtures/watcher/watcher-env";
import type { Anvil } from "../harness/anvil";
import type { Dynalite } from "../harness/dynalite";
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

beforeAll(async () => {
  ({ anvil, db, receiver, fixture } = await startWatcherPeers(secret));
});
afterAll(async () => {
  await Promise.all([anvil?.stop(), db?.stop(), receiver?.stop()]);
});

async function lifecycle(offerId: bigint): Promise<{ exchangeId: bigint; hashes: Hex[] }> {
  const committed = await send(fixture, fixture.wallet(buyerKey), {
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "commitToOffer",
    args: [buyer, offerId],
    value: price,
  });
  let exchangeId: bigint | undefined;
  for (const log of committed.logs) {
    try {
      const event = decodeEventLog({
        abi: fixture.abi,
        data: log.data,
        topics: log.topics as [Hex, ...Hex[]],
      }) as unknown as { eventName: string; args: { exchangeId?: bigint } };
      if (event.eventName === "BuyerCommitted") exchangeId = event.args.exchangeId;
    } catch {
      // another event
    }
  }
  if (exchangeId === undefined) throw new Error("no BuyerCommitted");
  const redeemed = await send(fixture, fixture.wallet(buyerKey), {
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "redeemVoucher",
    args: [exchangeId],
  });
  const disputed = await send(fixture, fixture.wallet(buyerKey), {
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "raiseDispute",
    args: [exchangeId],
  });
  return { exchangeId, hashes: [committed.hash, redeemed.hash, disputed.hash] };
}

it("stores smoke exchanges tagged, and sends, alerts and counts only the customers'", async () => {
  const kit = privateKeyToAccount(anvilKeys[1]).address;
  const { sellerId } = await createSeller(fixture, kit, kit);
  const startBlock = (await fixture.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
  const customerOffer = await createOffer(fixture, sellerId, { price, disputePeriodSeconds: 7n * 86_400n });
  const smokeOffer = await createOffer(fixture, sellerId, { price, disputePeriodSeconds: 7n * 86_400n });
  const customer = await lifecycle(customerOffer);
  const smoke = await lifecycle(smokeOffer);
  await fixture.testClient.mine({ blocks: 3 });

  const tables = await freshTables(db);
  const metrics = recordMetrics();
  const config = baseConfig(fixture.diamond, sellerId, { startBlock, smokeOfferId: smokeOffer.toString() });
  const tally = createBusinessTally(db.documents, tables.events, sellerId);
  const deps = watcherDeps({
    db,
    tables,
    client: fixture.publicClient as PublicClient,
    config,
    secret,
    endpoints: [receiver.url],
    metrics,
  });
  const result = await runWatcher({ ...deps, tally });

  // Both exchanges' events are stored; only the customer's are sent.
  expect(result).toMatchObject({ stored: 6, delivered: 3, deadLettered: 0, disputesRaised: 1, caughtUp: true });
  expect(receiver.delivered().map((call) => call.payload?.data)).toEqual(
    Array.from({ length: 3 }, () => expect.objectContaining({ exchangeId: customer.exchangeId.toString() })),
  );
  expect(metrics.sum(metricNames.disputeRaised)).toBe(1);
  expect(Object.keys(await createSellerRecords(db.documents, tables.events).openDisputes(sellerId))).toEqual([
    customer.exchangeId.toString(),
  ]);

  // Tagged in the table, with no delivery state (nothing to send).
  const events = createEventStore(db.documents, tables.events);
  const smokeRecords = (
    await Promise.all(
      smoke.hashes.map(async (hash) =>
        (await fixture.publicClient.getTransactionReceipt({ hash })).logs.map(
          (log) => `${hash.toLowerCase()}#${log.logIndex}`,
        ),
      ),
    )
  ).flat();
  const found = (await Promise.all(smokeRecords.map((id) => events.get(id)))).filter((item) => item !== undefined);
  expect(found.map((item) => item.eventName).sort()).toEqual(["BuyerCommitted", "DisputeRaised", "VoucherRedeemed"]);
  expect(found.every((item) => item.smokeTest === true && item.delivery === undefined)).toBe(true);

  // The business figures count the customer's exchange only.
  expect((await tally.read())?.counters).toMatchObject({ committed: 1, redeemed: 1, disputed: 1, finalized: 0 });
});
