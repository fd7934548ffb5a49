/**
 * The smoke job with an ERC-20 priced test offer through the relayer, on the
 * protocol fixture: the buyer (the KMS account) approves the diamond for the
 * price before each commit, paying that gas itself (an ERC-20 call is not a
 * protocol meta-transaction), and each commit goes through the relayer as a
 * meta-transaction without value; the diamond pulls the price with
 * transferFrom from the signer. Reruns send no second approval, and the job
 * refuses an offer that is not paid as the config says.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { erc20Abi, getAbiItem, parseEther, zeroAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { WriteClients } from "../../lambdas/shared/chain/clients";
import { lifecyclePolicy } from "../../lambdas/shared/chain/lifecycle/policy";
import { ExchangeState, PausableRegion, protocolAbi } from "../../lambdas/shared/chain/protocol";
import { relayerFor } from "../../lambdas/shared/chain/relayer";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../../lambdas/shared/runtime/metrics";
import { runJob } from "../../lambdas/shared/runtime/run-job";
import { createIdempotentRunner } from "../../lambdas/shared/stores/idempotency";
import { createSenderStateStore } from "../../lambdas/shared/stores/sender-state";
import { smokeJob, type SmokeDeps, type SmokeExchangeToken, type SmokeOutcome } from "../../lambdas/smoke/smoke";
import { startRelayerStandIn, type RelayerStandIn } from "../harness/relayer-stand-in";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import { startKmsSellerChain, type KmsSellerChain } from "../harness/kms-seller-chain";
import {
  anvilKeys,
  createOffer,
  depositFunds,
  send,
  setPaused,
  type FixtureDeployment,
} from "../harness/protocol-fixture";
import { startSubgraphServer, type SubgraphServer } from "../harness/subgraph-server";

let chain: KmsSellerChain;
let dynalite: Dynalite;
let fixture: FixtureDeployment;
let subgraph: SubgraphServer;
let relayerStandIn: RelayerStandIn;
let clients: WriteClients;
let output: CapturedOutput;
let tables = 0;
const price = parseEther("3");
const relayerAddress = privateKeyToAccount(anvilKeys[1]).address;

beforeAll(async () => {
  [chain, dynalite] = await Promise.all([startKmsSellerChain({ depositWei: parseEther("1") }), startDynalite()]);
  fixture = chain.fixture;
  await depositFunds(fixture, chain.seller.sellerId, fixture.token, parseEther("10"));
  [subgraph, relayerStandIn] = await Promise.all([
    startSubgraphServer({ rpcUrl: chain.anvil.rpcUrl, diamond: fixture.diamond, fromBlock: fixture.deployBlock }),
    startRelayerStandIn(fixture.wallet(anvilKeys[1])),
  ]);
});
afterAll(async () => {
  await Promise.all([subgraph?.stop(), relayerStandIn?.stop(), chain?.stop(), dynalite?.stop()]);
});
beforeEach(() => {
  output = captureStdout();
  clients = chain.writeClients("smoke");
});
afterEach(() => output.restore());

const buyer = () => chain.account.address;
const tokenBalance = (holder: Address) =>
  fixture.publicClient.readContract({
    address: fixture.token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [holder],
  });

async function mintToBuyer(amount: bigint): Promise<void> {
  await send(fixture, fixture.deployer, {
    address: fixture.token,
    abi: fixture.tokenAbi,
    functionName: "testOnly_mint",
    args: [buyer(), amount],
  });
}

/** Approvals the buyer gave the diamond on chain since `fromBlock`. */
async function approvalsSince(fromBlock: bigint): Promise<bigint[]> {
  const logs = await fixture.publicClient.getLogs({
    address: fixture.token,
    event: getAbiItem({ abi: erc20Abi, name: "Approval" }),
    args: { owner: buyer(), spender: fixture.diamond },
    fromBlock,
  });
  return logs.map((log) => log.args.value ?? -1n);
}

async function deps(
  offerId: bigint,
  exchangeToken: SmokeExchangeToken,
  options: { table?: string; requestId?: string } = {},
): Promise<SmokeDeps & { table: string }> {
  const table = options.table ?? `smoke-erc20-${++tables}`;
  if (!options.table) await dynalite.createTable(table);
  const logger = createJobLogger("smoke");
  return {
    table,
    config: { diamond: fixture.diamond, offerId, exchangeToken, confirmations: 1, buyerPercent: 5000n },
    clients,
    subgraph: { url: subgraph.url, logger },
    logger,
    metrics: createJobMetrics("smoke", "test"),
    idempotent: createIdempotentRunner({
      tableName: table,
      client: dynalite.newClient(),
      logger,
      keyPrefix: "smoke.test",
    }),
    relayer: relayerFor(
      {
        url: relayerStandIn.url,
        apiId: "smoke-api-id",
        apiKey: "test-relayer-key",
        ratePerSecond: 50,
        burst: 50,
        timeoutMs: 5_000,
      },
      { now: Date.now },
    ),
    lifecycle: { store: createSenderStateStore(dynalite.documents, table), policy: lifecyclePolicy() },
    requestId: options.requestId ?? `smoke-erc20-run-${tables}`,
    sleep: chain.mineOnSleep,
    pollIntervalMs: 0,
  };
}

describe("smoke job with an ERC-20 priced offer through the relayer", () => {
  it("approves the diamond for the price before each commit, commits as a meta-transaction without value, and the buyer pays in the token", async () => {
    const offerId = await createOffer(fixture, chain.seller.sellerId, {
      exchangeToken: fixture.token,
      price,
      sellerDeposit: parseEther("1"),
    });
    await mintToBuyer(price * 2n);
    const from = await fixture.publicClient.getBlockNumber();
    const buyerBefore = await tokenBalance(buyer());
    const diamondBefore = await tokenBalance(fixture.diamond);
    const relayedBefore = relayerStandIn.relayed();

    const outcome = await runJob(smokeJob, await deps(offerId, fixture.token));

    expect(outcome.status).toBe("succeeded");
    expect(outcome.steps.every((step) => step.status === "passed")).toBe(true);
    // The buyer paid the price twice (exchanges A and B) in the token, and the diamond holds it.
    expect(buyerBefore - (await tokenBalance(buyer()))).toBe(price * 2n);
    expect((await tokenBalance(fixture.diamond)) - diamondBefore).toBe(price * 2n);
    // Exactly the price, once per commit: never an unlimited allowance.
    expect(await approvalsSince(from)).toEqual([price, price]);
    // Every write went through the relayer (which paid its gas), the commits without value.
    expect(relayerStandIn.relayed() - relayedBefore).toBe(outcome.steps.length);
    for (const step of outcome.steps.filter((entry) => entry.step === "commit")) {
      const tx = await fixture.publicClient.getTransaction({ hash: step.txHash as Hex });
      expect(tx.from.toLowerCase()).toBe(relayerAddress.toLowerCase());
      expect(tx.value).toBe(0n);
    }
    const exchangeB = BigInt(outcome.steps.find((step) => step.exchange === "B")?.exchangeId ?? "0");
    const [exists, exchange] = await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "getExchange",
      args: [exchangeB],
    });
    expect(exists).toBe(true);
    expect(exchange.state).toBe(ExchangeState.Completed);
    // The approval is the assistant's own transaction, recorded as such.
    const approvals = output
      .toolCalls()
      .filter((call) => call.operation === "eth_sendRawTransaction" && call.details?.purpose === "approve");
    expect(approvals).toHaveLength(2);
  });

  it("a rerun sends no second approval for a commit whose approval already mined", async () => {
    const offerId = await createOffer(fixture, chain.seller.sellerId, { exchangeToken: fixture.token, price });
    await mintToBuyer(price * 2n);
    const from = await fixture.publicClient.getBlockNumber();
    const buyerBefore = await tokenBalance(buyer());
    // First run: the Exchanges region is paused after the approval, so neither commit happens.
    await setPaused(fixture, [PausableRegion.Exchanges], true);
    const first = await deps(offerId, fixture.token);
    let paused: SmokeOutcome;
    try {
      paused = await runJob(smokeJob, first);
    } finally {
      await setPaused(fixture, [PausableRegion.Exchanges], false);
    }
    expect(paused.status).toBe("transient");
    expect(await approvalsSince(from)).toEqual([price]);

    // The same invocation retried: the allowance covers commit A, so A sends none; B needs its own.
    const again = await runJob(
      smokeJob,
      await deps(offerId, fixture.token, { table: first.table, requestId: first.requestId }),
    );
    expect(again.status).toBe("succeeded");
    expect(await approvalsSince(from)).toEqual([price, price]);
    expect(buyerBefore - (await tokenBalance(buyer()))).toBe(price * 2n);

    // Retried once more after it succeeded: every write replays from its record, nothing is sent.
    const nonce = await fixture.publicClient.getTransactionCount({ address: buyer() });
    const relayed = relayerStandIn.relayed();
    await runJob(smokeJob, await deps(offerId, fixture.token, { table: first.table, requestId: first.requestId }));
    expect(await fixture.publicClient.getTransactionCount({ address: buyer() })).toBe(nonce);
    expect(relayerStandIn.relayed()).toBe(relayed);
    expect(await approvalsSince(from)).toEqual([price, price]);
  });

  it.each([
    ["native", "test-offer-token-mismatch"],
    ["free", "test-offer-not-free"],
  ] as const)(
    "refuses an ERC-20 priced offer configured as %s (%s) before sending anything",
    async (configured, reason) => {
      const offerId = await createOffer(fixture, chain.seller.sellerId, { exchangeToken: fixture.token, price });
      const nonce = await fixture.publicClient.getTransactionCount({ address: buyer() });
      const outcome = await runJob(smokeJob, await deps(offerId, configured));
      expect(outcome).toMatchObject({ status: "failed", reason, steps: [] });
      expect(await fixture.publicClient.getTransactionCount({ address: buyer() })).toBe(nonce);
    },
  );

  it("refuses a native-priced offer configured as an ERC-20, and a native price through the relayer", async () => {
    const nativeOffer = await createOffer(fixture, chain.seller.sellerId, { exchangeToken: zeroAddress, price });
    expect(await runJob(smokeJob, await deps(nativeOffer, fixture.token))).toMatchObject({
      status: "failed",
      reason: "test-offer-token-mismatch",
    });
    expect(await runJob(smokeJob, await deps(nativeOffer, "native"))).toMatchObject({
      status: "failed",
      reason: "test-offer-native-with-relayer",
    });
  });
});
