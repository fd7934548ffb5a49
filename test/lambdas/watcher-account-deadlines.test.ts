/**
 * The watcher's takeover watch and dispute deadlines against the protocol
 * fixture on anvil and dynalite: the admin's updateSeller (a pending
 * assistant, an applied treasury) pages once per event unless it lands on
 * the configured addresses; a dispute 12 hours from its timeout pages once,
 * an extended timeout is a new deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther, type Address, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { protocolAbi } from "../../lambdas/shared/chain/protocol";
import { createAlertLedger } from "../../lambdas/shared/stores/alert-ledger";
import { runWatcher, type WatcherConfig } from "../../lambdas/watcher/watcher";
import { startAnvil, type Anvil } from "../harness/anvil";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import {
  commitToOffer,
  anvilKeys,
  createOffer,
  createSeller,
  deployProtocolFixture,
  send,
  type FixtureDeployment,
} from "../harness/protocol-fixture";
import { baseConfig, freshTables, recordMetrics, watcherDeps } from "../fixtures/watcher/watcher-env";

const hour = 3600;
let anvil: Anvil;
let db: Dynalite;
let fixture: FixtureDeployment;
let client: PublicClient;
let sellerId: bigint;
const assistant = privateKeyToAccount(anvilKeys[1]);
const treasury = privateKeyToAccount(anvilKeys[3]).address;
const buyer = () => fixture.wallet(anvilKeys[2]);

beforeAll(async () => {
  [anvil, db] = await Promise.all([startAnvil(), startDynalite()]);
  fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  client = fixture.publicClient as PublicClient;
  ({ sellerId } = await createSeller(fixture, assistant.address, treasury));
});
afterAll(async () => {
  await Promise.all([anvil?.stop(), db?.stop()]);
});

async function watcher(overrides: Partial<WatcherConfig> = {}) {
  const tables = await freshTables(db);
  const config = baseConfig(fixture.diamond, sellerId, {
    startBlock: fixture.deployBlock,
    expectedSeller: { admin: fixture.deployer.account.address, assistant: assistant.address, treasury },
    disputeAlertLeadHours: [48, 12],
    ...overrides,
  });
  const metrics = recordMetrics();
  const deps = {
    ...watcherDeps({ db, tables, client, config, metrics }),
    alerts: createAlertLedger(db.documents, tables.events),
  };
  return {
    metrics,
    run: async () => {
      await fixture.testClient.mine({ blocks: 3 }); // past the confirmations
      return runWatcher(deps);
    },
  };
}

async function updateSeller(change: { assistant?: Address; treasury?: Address; metadataUri?: string }): Promise<void> {
  const [, current] = await client.readContract({
    address: fixture.diamond,
    abi: protocolAbi,
    functionName: "getSeller",
    args: [sellerId],
  });
  await send(fixture, fixture.deployer, {
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "updateSeller",
    args: [
      { ...current, ...change },
      { tokenId: 0n, tokenType: 0 },
    ],
  });
}

describe("seller account takeover watch", () => {
  it("pages once for a pending assistant and an applied treasury nobody configured, not for a change that keeps the configured addresses", async () => {
    const watch = await watcher();
    await updateSeller({ metadataUri: "ipfs://renamed" });
    const quiet = await watch.run();
    expect(quiet.sellerAccountChanges).toBe(0);
    expect(watch.metrics.values("SellerAccountChanged")).toEqual([]);

    const stranger = privateKeyToAccount(anvilKeys[4]).address;
    await updateSeller({ assistant: stranger });
    await updateSeller({ assistant: assistant.address, treasury: stranger });
    const first = await watch.run();
    // The pending assistant (SellerUpdatePending), then the treasury applied at once (SellerUpdateApplied).
    expect(first.sellerAccountChanges).toBe(2);
    expect(watch.metrics.values("SellerAccountChanged")).toEqual([1, 1]);
    const again = await watch.run();
    expect(again.sellerAccountChanges).toBe(0);
    await updateSeller({ treasury });
  });
});

describe("dispute deadlines", () => {
  it("pages once when a dispute is 12 hours from its timeout, and again for the extended deadline", async () => {
    const offerId = await createOffer(fixture, sellerId, { price: parseEther("0.01") });
    const { exchangeId } = await commitToOffer(fixture, buyer(), offerId, { price: parseEther("0.01") });
    await send(fixture, buyer(), {
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "redeemVoucher",
      args: [exchangeId],
    });
    await send(fixture, buyer(), {
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "raiseDispute",
      args: [exchangeId],
    });
    const [, timeout] = await client.readContract({
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "getDisputeTimeout",
      args: [exchangeId],
    });
    const watch = await watcher();

    const early = await watch.run();
    expect(early.disputeDeadlinesPaged).toEqual([]);

    const head = await client.getBlock();
    await fixture.testClient.increaseTime({ seconds: Number(timeout - head.timestamp) - 11 * hour });
    const near = await watch.run();
    expect(near.disputeDeadlinesPaged).toEqual([String(exchangeId)]);
    expect(watch.metrics.values("DisputeDeadlineNear")).toEqual([1]);
    const later = await watch.run();
    expect(later.disputeDeadlinesPaged).toEqual([]);
    expect(watch.metrics.values("DisputeDeadlineNear")).toEqual([1]);

    // The assistant extends the timeout by three days: a new deadline, paged again when it comes within 48 hours.
    await send(fixture, fixture.wallet(anvilKeys[1]), {
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "extendDisputeTimeout",
      args: [exchangeId, timeout + BigInt(3 * 24 * hour)],
    });
    expect((await watch.run()).disputeDeadlinesPaged).toEqual([]);
    await fixture.testClient.increaseTime({ seconds: 36 * hour });
    expect((await watch.run()).disputeDeadlinesPaged).toEqual([String(exchangeId)]);
    expect(watch.metrics.values("DisputeDeadlineNear")).toEqual([1, 1]);
  });
});
