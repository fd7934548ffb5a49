import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  parseEther,
  zeroAddress,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainEventId, createEventStore } from "../../lambdas/shared/stores/events";
import { metricNames } from "../../lambdas/contract";
import { toFiat } from "../../lambdas/shared/chain/price-feed";
import { watchedTopics } from "../../lambdas/watcher/events";
import { createSellerRecords } from "../../lambdas/watcher/seller-records";
import { runWatcher } from "../../lambdas/watcher/watcher";
import { compileWatcherContracts, type WatcherContract } from "../fixtures/watcher/compile";
import { baseConfig, freshTables, recordMetrics, watcherDeps } from "../fixtures/watcher/watcher-env";
import { startAnvil, type Anvil } from "../harness/anvil";
import { startDynalite, type Dynalite } from "../harness/dynalite";

// anvil's well-known dev keys #0 (set-up) and #1 (plays the kit's KMS signer).
const deployerKey: Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const kitKey: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const kit = privateKeyToAccount(kitKey).address;
const sellerId = 7n;
const usdPerEth = 2_500n * 10n ** 8n; // 8 decimals, like Chainlink's ETH/USD

let anvil: Anvil;
let db: Dynalite;
let client: PublicClient;
let emitter: Address;
let feed: Address;
let contracts: ReturnType<typeof compileWatcherContracts>;

const wallet = (key: Hex) =>
  createWalletClient({ chain: anvil.chain, transport: http(anvil.rpcUrl), account: privateKeyToAccount(key) });

async function deploy(contract: WatcherContract, args: readonly unknown[]): Promise<Address> {
  const hash = await wallet(deployerKey).deployContract({ abi: contract.abi, bytecode: contract.bytecode, args });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error("no contract");
  return receipt.contractAddress;
}

async function emit(
  key: Hex,
  functionName: string,
  args: readonly unknown[],
): Promise<{ hash: Hex; gasWei: bigint; topics: Hex[] }> {
  const hash = await wallet(key).writeContract({
    address: emitter,
    abi: contracts.ExposureEmitter.abi,
    functionName,
    args,
  });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  return {
    hash,
    gasWei: receipt.gasUsed * receipt.effectiveGasPrice,
    topics: receipt.logs.map((log) => log.topics[0] as Hex),
  };
}

beforeAll(async () => {
  contracts = compileWatcherContracts();
  [anvil, db] = await Promise.all([startAnvil(), startDynalite()]);
  client = createPublicClient({
    chain: anvil.chain,
    transport: http(anvil.rpcUrl),
    pollingInterval: 50,
  }) as PublicClient;
  emitter = await deploy(contracts.ExposureEmitter, []);
  feed = await deploy(contracts.MockPriceFeed, [8, usdPerEth]);
});
afterAll(async () => {
  await Promise.all([anvil?.stop(), db?.stop()]);
});

describe("watcher exposure (M4) and upgrade alerts over official-signature events", () => {
  it("stores fees from the offer and the protocol's fee events, the kit's gas from receipts, and their fiat value", async () => {
    const tables = await freshTables(db);
    const metrics = recordMetrics();
    // An offer and exchange from before the watcher started: learnt through getOffer/getExchange.
    await emit(deployerKey, "createOfferSilently", [
      2n,
      sellerId,
      zeroAddress,
      parseEther("1"),
      parseEther("0.02"),
      0n,
    ]);
    await emit(deployerKey, "commitSilently", [2n, 20n]);
    const start = (await client.getBlockNumber({ cacheTime: 0 })) + 1n;

    const offer = await emit(deployerKey, "createOffer", [
      1n,
      sellerId,
      zeroAddress,
      parseEther("1"),
      parseEther("0.01"),
      parseEther("0.005"),
    ]);
    await emit(deployerKey, "createOffer", [3n, 99n, zeroAddress, parseEther("1"), parseEther("0.01"), 0n]); // another seller
    const committed = await emit(kitKey, "commit", [1n, 10n]);
    await emit(kitKey, "commit", [3n, 30n]); // the kit's gas on another seller's exchange does not count here
    const completed = await emit(kitKey, "complete", [10n, parseEther("0.009")]);
    const drFee = await emit(deployerKey, "requestDisputeResolverFee", [10n, parseEther("0.004")]);
    const early = await emit(kitKey, "complete", [20n, parseEther("0.015")]);
    const upgrade = await emit(deployerKey, "initialize", ["2.5.0"]);
    await createTestClient({ chain: anvil.chain, transport: http(anvil.rpcUrl), mode: "anvil" }).mine({ blocks: 2 });

    // The emitter's events carry the official topics: each is one the watcher filters on.
    for (const topic of [
      ...offer.topics,
      ...committed.topics,
      ...completed.topics,
      ...drFee.topics,
      ...upgrade.topics,
    ]) {
      expect(watchedTopics).toContain(topic);
    }

    const config = baseConfig(emitter, sellerId, {
      startBlock: start,
      kitAddresses: [kit],
      priceFeed: { address: feed, currency: "USD" },
    });
    const result = await runWatcher(watcherDeps({ db, tables, client, config, metrics }));
    expect(result.upgrades).toBe(1);
    expect(metrics.sum(metricNames.diamondCutSeen)).toBe(1);
    expect(await createEventStore(db.documents, tables.events).get(chainEventId(upgrade.hash, 0))).toMatchObject({
      eventName: "ProtocolInitialized",
      args: { version: "2.5.0" },
    });

    const records = createSellerRecords(db.documents, tables.events);
    const exchange = await records.getExchange(10n);
    const gasWei = committed.gasWei + completed.gasWei;
    const fees = parseEther("0.009") + parseEther("0.004");
    expect(exchange?.exposure).toMatchObject({
      protocolFee: parseEther("0.009").toString(),
      protocolFeeSource: "event",
      disputeResolverFee: parseEther("0.004").toString(),
      disputeResolverFeeSource: "event",
      gasWei: gasWei.toString(),
      kitTransactions: 2,
      fiat: {
        currency: "USD",
        gas: toFiat(gasWei, { answer: usdPerEth, decimals: 8 }).text,
        fees: toFiat(fees, { answer: usdPerEth, decimals: 8 }).text,
        total: toFiat(gasWei + fees, { answer: usdPerEth, decimals: 8 }).text,
      },
    });
    expect(Number(exchange?.exposure?.fiat?.fees)).toBeCloseTo(32.5, 6);

    // The exchange from before the start: resolved through the protocol's views, priced from the offer's terms.
    const earlier = await records.getExchange(20n);
    expect(earlier?.exposure).toMatchObject({
      protocolFee: parseEther("0.015").toString(),
      protocolFeeSource: "event",
      disputeResolverFeeSource: "offer",
      gasWei: early.gasWei.toString(),
    });
    expect(await records.getExchange(30n)).toBeUndefined();

    expect(metrics.sum(metricNames.gasSpentWei)).toBe(Number(gasWei + early.gasWei));
    // One cost figure per exchange of the seller that changed (one range here): exchanges 10 and 20.
    expect([...metrics.values(metricNames.exchangeCostFiat)].sort()).toEqual(
      [exchange?.exposure?.fiat?.totalValue, earlier?.exposure?.fiat?.totalValue].sort(),
    );
  });

  it("re-running over the same range counts no gas twice", async () => {
    const tables = await freshTables(db);
    const start = (await client.getBlockNumber({ cacheTime: 0 })) + 1n;
    await emit(deployerKey, "createOffer", [4n, sellerId, zeroAddress, parseEther("1"), parseEther("0.01"), 0n]);
    const committed = await emit(kitKey, "commit", [4n, 40n]);
    await createTestClient({ chain: anvil.chain, transport: http(anvil.rpcUrl), mode: "anvil" }).mine({ blocks: 2 });
    const config = baseConfig(emitter, sellerId, { startBlock: start, kitAddresses: [kit] });
    const first = recordMetrics();
    await runWatcher(watcherDeps({ db, tables, client, config, metrics: first }));
    const second = recordMetrics();
    await runWatcher(
      watcherDeps({ db, tables, client, config: { ...config, checkpointName: "again" }, metrics: second }),
    );
    expect(first.sum(metricNames.gasSpentWei)).toBe(Number(committed.gasWei));
    expect(second.sum(metricNames.gasSpentWei)).toBe(0);
    const exposure = (await createSellerRecords(db.documents, tables.events).getExchange(40n))?.exposure;
    expect(exposure).toMatchObject({
      gasWei: committed.gasWei.toString(),
      protocolFeeSource: "offer",
      protocolFee: parseEther("0.01").toString(),
    });
    expect(exposure?.fiat).toBeUndefined(); // no price feed configured
  });
});
