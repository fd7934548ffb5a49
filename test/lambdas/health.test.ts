/**
 * The health job (H5, O6, H2, B2) against anvil with the protocol fixture, the
 * local subgraph server indexing it, and the business counters the watcher
 * keeps in dynalite from the same chain.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decodeEventLog, parseEther, zeroAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createReadClients, type ReadClients } from "../../lambdas/shared/chain/clients";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../../lambdas/shared/runtime/metrics";
import { PausableRegion, protocolAbi } from "../../lambdas/shared/chain/protocol";
import { healthJob, type HealthConfig, type HealthDeps } from "../../lambdas/health/health";
import { runJob } from "../../lambdas/shared/runtime/run-job";
import { startAnvil, type Anvil } from "../harness/anvil";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import {
  anvilKeys,
  createOffer,
  createSeller,
  deployProtocolFixture,
  depositFunds,
  send,
  setPaused,
  type FixtureDeployment,
  type SellerSetup,
} from "../harness/protocol-fixture";
import { startFixtureSubgraph, type SubgraphServer } from "../harness/subgraph-server";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import { fullScanMetrics } from "../harness/exchange-entities";
import { createBusinessTally, type BusinessTally } from "../../lambdas/shared/stores/business-tally";
import { runWatcher } from "../../lambdas/watcher/watcher";
import { baseConfig, freshTables, watcherDeps } from "../fixtures/watcher/watcher-env";

let anvil: Anvil;
let fixture: FixtureDeployment;
let seller: SellerSetup;
let subgraph: SubgraphServer;
let output: CapturedOutput;
let clients: ReadClients;
let db: Dynalite;
let tally: BusinessTally;
const signer = privateKeyToAccount(anvilKeys[1]).address;
const exchangeTimes: { committed: bigint; finalized: bigint }[] = [];

async function commit(offerId: bigint, price: bigint): Promise<{ exchangeId: bigint; timestamp: bigint }> {
  const buyer = fixture.wallet(anvilKeys[2]);
  const sent = await send(fixture, buyer, {
    address: fixture.diamond,
    abi: protocolAbi,
    functionName: "commitToOffer",
    args: [buyer.account.address, offerId],
    value: price,
  });
  for (const log of sent.logs) {
    try {
      const event = decodeEventLog({ abi: protocolAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      if (event.eventName === "BuyerCommitted")
        return { exchangeId: event.args.exchangeId, timestamp: event.args.voucher.committedDate };
    } catch {
      // another event
    }
  }
  throw new Error("no BuyerCommitted");
}

async function buyerSends(functionName: "redeemVoucher" | "completeExchange" | "raiseDispute", exchangeId: bigint) {
  const sent = await send(fixture, fixture.wallet(anvilKeys[2]), {
    address: fixture.diamond,
    abi: protocolAbi,
    functionName,
    args: [exchangeId],
  });
  return (await fixture.publicClient.getBlock({ blockNumber: sent.blockNumber })).timestamp;
}

beforeAll(async () => {
  anvil = await startAnvil();
  fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  seller = await createSeller(fixture, signer, privateKeyToAccount(anvilKeys[3]).address);
  await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("2"));
  const price = parseEther("0.1");
  const offerId = await createOffer(fixture, seller.sellerId, { price, sellerDeposit: parseEther("0.01") });
  // Exchange 1: completed an hour after commit; 2: redeemed then disputed; 3: committed only.
  const first = await commit(offerId, price);
  await buyerSends("redeemVoucher", first.exchangeId);
  await fixture.testClient.increaseTime({ seconds: 3600 });
  exchangeTimes.push({ committed: first.timestamp, finalized: await buyerSends("completeExchange", first.exchangeId) });
  const second = await commit(offerId, price);
  await buyerSends("redeemVoucher", second.exchangeId);
  await buyerSends("raiseDispute", second.exchangeId);
  await commit(offerId, price);
  // A smoke-test exchange (the known test offer, its seller deposit locked like the others): never part of the business figures.
  const smokeOfferId = await createOffer(fixture, seller.sellerId, { price, sellerDeposit: parseEther("0.01") });
  await buyerSends("redeemVoucher", (await commit(smokeOfferId, price)).exchangeId);
  await fixture.testClient.mine({ blocks: 40 });
  subgraph = await startFixtureSubgraph(anvil.rpcUrl, fixture);
  db = await startDynalite();
  const tables = await freshTables(db);
  const watcher = watcherDeps({
    db,
    tables,
    client: fixture.publicClient,
    config: baseConfig(fixture.diamond, seller.sellerId, {
      startBlock: fixture.deployBlock,
      smokeOfferId: smokeOfferId.toString(),
    }),
  });
  tally = createBusinessTally(db.documents, tables.events, seller.sellerId);
  expect((await runWatcher({ ...watcher, tally })).caughtUp).toBe(true);
  smokeOffer = smokeOfferId.toString();
});

let smokeOffer: string;

afterAll(async () => {
  await Promise.all([subgraph?.stop(), anvil?.stop(), db?.stop()]);
});

beforeEach(() => {
  output = captureStdout();
  subgraph.setLag(0);
  subgraph.setIndexingErrors(false);
  clients = createReadClients({
    chainId: anvil.chain.id,
    urls: { primary: anvil.rpcUrl },
    logger: createJobLogger("health"),
  });
});
afterEach(() => output.restore());

function deps(config: Partial<HealthConfig> = {}): HealthDeps {
  const logger = createJobLogger("health");
  return {
    config: {
      diamond: fixture.diamond,
      sellerId: seller.sellerId,
      tokens: [{ address: zeroAddress, symbol: "ETH" }],
      signer,
      expectedDailyBurnWei: parseEther("1"),
      subgraphMaxLagBlocks: 20,
      gasAlertRatios: [0.5, 0.2, 0.1],
      ...config,
    },
    clients,
    subgraph: { url: subgraph.url, logger },
    tally,
    logger,
    metrics: createJobMetrics("health", "test"),
    requestId: "health-test",
  };
}

describe("health job", () => {
  it("reports lag, gas, paused regions, business metrics and one heartbeat", async () => {
    const outcome = await runJob(healthJob, deps());
    const head = await fixture.publicClient.getBlockNumber();
    const balance = await fixture.publicClient.getBalance({ address: signer });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.report).toMatchObject({
      chainHead: head.toString(),
      subgraphBlock: head.toString(),
      subgraphLagBlocks: 0,
      subgraphStale: false,
      pausedRegions: [],
      gasBalanceWei: balance.toString(),
    });
    expect(outcome.report.availableFunds).toEqual([
      {
        token: zeroAddress,
        symbol: "ETH",
        availableWei: (parseEther("2") - parseEther("0.04") + parseEther("0.11")).toString(),
      },
    ]);
    const completion = exchangeTimes[0];
    expect(outcome.report.business).toEqual({
      exchanges: 3,
      openExchanges: 2,
      redemptionRate: 2 / 3,
      disputeRate: 1 / 2,
      meanTimeToCompletionSeconds: Number((completion?.finalized ?? 0n) - (completion?.committed ?? 0n)),
    });
    expect(outcome.report.business?.meanTimeToCompletionSeconds).toBeGreaterThanOrEqual(3600);
    // The same figures as a full scan of the subgraph's exchanges, less the smoke offer's.
    const customers = subgraph.exchanges().filter((exchange) => exchange.offerId !== smokeOffer);
    expect(subgraph.exchanges()).toHaveLength(4);
    expect(outcome.report.business).toEqual(fullScanMetrics(customers));
    expect(output.metricValues("HealthHeartbeat")).toEqual([1]);
    expect(output.metricValues("SubgraphLagBlocks")).toEqual([0]);
    expect(output.metricValues("GasBalanceWei")).toEqual([Number(balance)]);
    expect(output.metricValues("PausedRegions")).toEqual([0]);
    expect(output.metricValues("OpenExchanges")).toEqual([2]);
    expect(output.metricValues("DisputeRate")).toEqual([0.5]);
    expect(output.metricValues("JobSucceeded")).toEqual([1]);
    expect(output.metrics().find((metric) => metric.name === "HealthHeartbeat")?.dimensions).toEqual({
      service: "health",
      Stack: "test",
    });
    // One subgraph query (the lag) and one counters read: nothing that grows with the history.
    expect(
      output
        .toolCalls()
        .filter((call) => call.tool === "subgraph")
        .map((call) => call.operation),
    ).toEqual(["_meta"]);
    expect(
      output
        .toolCalls()
        .filter((call) => call.tool === "dynamodb")
        .map((call) => call.operation),
    ).toEqual(["readBusinessTally"]);
  });

  it("measures a subgraph 30 blocks behind as lag 30, over the configured maximum", async () => {
    subgraph.setLag(30);
    const outcome = await runJob(healthJob, deps({ subgraphMaxLagBlocks: 20 }));
    expect(outcome.report.subgraphLagBlocks).toBe(30);
    expect(outcome.report.subgraphStale).toBe(true);
    expect(output.metricValues("SubgraphLagBlocks")).toEqual([30]);
    // The alarm input is over the alarm's threshold (the configured max), and the run says so.
    expect(output.metricValues("SubgraphLagBlocks")[0]).toBeGreaterThan(outcome.report.subgraphMaxLagBlocks);
    expect(output.lines().some((line) => line.message === "subgraph is stale" && line.level === "WARN")).toBe(true);
    // Under a larger maximum the same lag is not stale.
    const relaxed = await runJob(healthJob, deps({ subgraphMaxLagBlocks: 50 }));
    expect(relaxed.report).toMatchObject({ subgraphLagBlocks: 30, subgraphStale: false });
  });

  it("holds the subgraph head back and reports indexing errors", async () => {
    const head = await fixture.publicClient.getBlockNumber();
    subgraph.holdAt(head - 5n);
    subgraph.setIndexingErrors(true);
    const outcome = await runJob(healthJob, deps());
    expect(outcome.report).toMatchObject({ subgraphLagBlocks: 5, subgraphIndexingErrors: true });
    expect(output.metricValues("SubgraphIndexingErrors")).toEqual([1]);
  });

  it("reports paused regions by name and count", async () => {
    await setPaused(fixture, [PausableRegion.Funds, PausableRegion.Disputes], true);
    try {
      const outcome = await runJob(healthJob, deps());
      expect(outcome.report.pausedRegions).toEqual(["Disputes", "Funds"]);
      expect(output.metricValues("PausedRegions")).toEqual([2]);
    } finally {
      await setPaused(fixture, [PausableRegion.Funds, PausableRegion.Disputes], false);
    }
  });

  it("computes the gas ratio against the expected daily burn and the drain thresholds crossed", async () => {
    const balance = await fixture.publicClient.getBalance({ address: signer });
    const outcome = await runJob(healthJob, deps({ expectedDailyBurnWei: (balance * 100n) / 15n }));
    expect(outcome.report.gasBalanceRatio).toBeCloseTo(0.15, 5);
    expect(outcome.report.gasAlertRatiosCrossed).toEqual([0.5, 0.2]);
    expect(output.metricValues("GasBalanceRatio")[0]).toBeCloseTo(0.15, 5);
    // The stack's own ratios, not a copy of the defaults.
    const custom = await runJob(
      healthJob,
      deps({ expectedDailyBurnWei: (balance * 100n) / 15n, gasAlertRatios: [0.8, 0.3, 0.16] }),
    );
    expect(custom.report.gasAlertRatiosCrossed).toEqual([0.8, 0.3, 0.16]);
  });

  it("during a key rotation, watches the old and the pending key's gas together, in the same round trip", async () => {
    const pending = privateKeyToAccount(anvilKeys[4]).address;
    const [own, pendingBalance] = await Promise.all([
      fixture.publicClient.getBalance({ address: signer }),
      fixture.publicClient.getBalance({ address: pending }),
    ]);
    expect(pendingBalance).toBeGreaterThan(0n);
    const outcome = await runJob(healthJob, deps({ rotationSigner: pending }));
    expect(outcome.report.gasBalanceWei).toBe((own + pendingBalance).toString());
    expect(outcome.report.rpcRoundTrips).toBe(1);
  });

  it("needs one RPC round trip per run whatever the number of tokens", async () => {
    const many: { address: Address; symbol: string }[] = Array.from({ length: 25 }, (_, index) => ({
      address: `0x${(index + 1).toString(16).padStart(40, "0")}` as Address,
      symbol: `T${index}`,
    }));
    const few = await runJob(healthJob, deps());
    const lots = await runJob(healthJob, deps({ tokens: many }));
    expect(few.report.rpcRoundTrips).toBe(1);
    expect(lots.report.rpcRoundTrips).toBe(1);
    expect(lots.report.availableFunds).toHaveLength(25);
  });

  it("still sends its heartbeat when the subgraph is down, and fails the run", async () => {
    const logger = createJobLogger("health");
    const outcome = await runJob(healthJob, {
      ...deps(),
      subgraph: { url: "http://127.0.0.1:9/subgraphs/name/boson", logger },
    });
    expect(outcome.status).toBe("failed");
    expect(output.metricValues("HealthHeartbeat")).toEqual([1]);
    expect(output.metricValues("JobFailed")).toEqual([1]);
    expect(output.metricValues("GasBalanceWei")).toHaveLength(1);
  });
});
