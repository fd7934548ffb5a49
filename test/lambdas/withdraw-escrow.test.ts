/**
 * The withdraw run's money rules against the protocol fixture on anvil, the
 * KMS endpoint, dynalite and the local subgraph: escrow released when due
 * (batches, disputes, vouchers), left alone when not, a paused region; the
 * reserve the active offers need kept through a withdrawal; a treasury
 * changed by the admin blocks the withdrawal and pages.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseAbiItem, parseEther, zeroAddress, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { WriteClients } from "../../lambdas/shared/chain/clients";
import { ExchangeState, mergedProtocolAbi, PausableRegion, protocolAbi } from "../../lambdas/shared/chain/protocol";
import { withdrawTestDeps } from "../harness/withdraw-deps";
import { withdrawJob, type WithdrawConfig, type WithdrawDeps } from "../../lambdas/withdraw/withdraw";
import { runJob } from "../../lambdas/shared/runtime/run-job";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import { startKmsSellerChain, type KmsSellerChain } from "../harness/kms-seller-chain";
import {
  commitToOffer,
  anvilKeys,
  createOffer,
  depositFunds,
  send,
  setPaused,
  type FixtureDeployment,
  type SellerSetup,
} from "../harness/protocol-fixture";
import { startFixtureSubgraph, type SubgraphServer } from "../harness/subgraph-server";

const exchangeCompleted = parseAbiItem(
  "event ExchangeCompleted(uint256 indexed offerId, uint256 indexed buyerId, uint256 indexed exchangeId, address executedBy)",
);
const day = 86_400;

let chain: KmsSellerChain;
let dynalite: Dynalite;
let subgraph: SubgraphServer;
let fixture: FixtureDeployment;
let seller: SellerSetup;
let clients: WriteClients;
let output: CapturedOutput;
let tables = 0;
const buyer = () => fixture.wallet(anvilKeys[2]);

beforeAll(async () => {
  [chain, dynalite] = await Promise.all([startKmsSellerChain(), startDynalite()]);
  ({ fixture, seller } = chain);
  subgraph = await startFixtureSubgraph(chain.anvil.rpcUrl, fixture);
});
afterAll(async () => {
  await Promise.all([chain?.stop(), dynalite?.stop(), subgraph?.stop()]);
});
beforeEach(() => {
  output = captureStdout();
  clients = chain.writeClients("withdraw");
});
afterEach(() => output.restore());

async function deps(config: Partial<WithdrawConfig> = {}): Promise<WithdrawDeps> {
  const table = `escrow-${++tables}`;
  await dynalite.createTable(table);
  return withdrawTestDeps({
    fixture,
    seller,
    clients,
    tokens: [{ address: zeroAddress, symbol: "ETH", withdrawThresholdWei: 1n, reserveMarginWei: 0n }],
    table,
    dynamo: dynalite.newClient(),
    subgraphUrl: subgraph.url,
    requestId: `escrow-${tables}`,
    sleep: chain.mineOnSleep,
    config,
  });
}

async function commit(offerId: bigint, price: bigint): Promise<bigint> {
  return (await commitToOffer(fixture, buyer(), offerId, { price })).exchangeId;
}
async function buyerCalls(functionName: "redeemVoucher" | "raiseDispute", exchangeId: bigint): Promise<void> {
  await send(fixture, buyer(), { address: fixture.diamond, abi: protocolAbi, functionName, args: [exchangeId] });
}
async function stateOf(exchangeId: bigint): Promise<number> {
  const [, exchange] = await fixture.publicClient.readContract({
    address: fixture.diamond,
    abi: protocolAbi,
    functionName: "getExchange",
    args: [exchangeId],
  });
  return exchange.state;
}
async function travel(seconds: number): Promise<void> {
  await fixture.testClient.increaseTime({ seconds });
  await fixture.testClient.mine({ blocks: 1 });
}
async function available(): Promise<bigint> {
  const [funds] = await fixture.publicClient.readContract({
    address: fixture.diamond,
    abi: protocolAbi,
    functionName: "getAvailableFunds",
    args: [seller.sellerId, [zeroAddress]],
  });
  return funds?.availableAmount ?? 0n;
}
const decisions = () => output.toolCalls().filter((call) => call.operation.startsWith("escrow."));

describe("escrow release (first step of the withdraw run)", () => {
  const price = parseEther("0.1");
  let offerId: bigint;

  it("completes the exchanges past their dispute period in batches, leaves the others alone, and withdraws what they released", async () => {
    offerId = await createOffer(fixture, seller.sellerId, {
      price,
      sellerDeposit: 0n,
      quantity: 50n,
      disputePeriodSeconds: BigInt(day),
    });
    const due = [await commit(offerId, price), await commit(offerId, price), await commit(offerId, price)];
    for (const id of due) await buyerCalls("redeemVoucher", id);
    await travel(day + 1);
    const notYet = await commit(offerId, price);
    await buyerCalls("redeemVoucher", notYet);
    const from = await fixture.publicClient.getBlockNumber();
    output.clear();

    const outcome = await runJob(withdrawJob, await deps({ escrow: { batchSize: 2, maxPerRun: 200 } }));

    expect(outcome).toMatchObject({ status: "succeeded", reason: "withdrawn" });
    expect(outcome.release?.released).toEqual(due.map(String));
    expect(outcome.release?.batches.map((batch) => [batch.kind, batch.exchangeIds, batch.status])).toEqual([
      ["complete", due.slice(0, 2).map(String), "released"],
      ["complete", due.slice(2).map(String), "released"],
    ]);
    expect(outcome.release?.skipped).toEqual([{ exchangeId: String(notYet), kind: "complete", reason: "not-yet-due" }]);
    for (const id of due) expect(await stateOf(id)).toBe(ExchangeState.Completed);
    expect(await stateOf(notYet)).toBe(ExchangeState.Redeemed);
    // Completed by the kit's KMS account, in two transactions; the withdrawal in the same run took what they released.
    const completed = await fixture.publicClient.getLogs({
      address: fixture.diamond,
      event: exchangeCompleted,
      fromBlock: from + 1n,
      toBlock: "latest",
    });
    expect(completed.map((log) => log.args.executedBy)).toEqual(due.map(() => chain.account.address));
    expect(new Set(completed.map((log) => log.transactionHash)).size).toBe(2);
    expect(outcome.withdrawn).toEqual([{ token: zeroAddress, symbol: "ETH", amountWei: (price * 3n).toString() }]);
    expect(output.metricValues("EscrowReleased")).toEqual([2, 1]);
    expect(output.metricValues("EscrowReleaseSkipped")).toEqual([1]);
    expect(decisions().map((call) => [call.exchangeId, call.details?.decision, call.outcome])).toEqual([
      [String(notYet), "skip", "ok"],
      ...due.map((id) => [String(id), "release", "ok"]),
    ]);
    expect(decisions().find((call) => call.exchangeId === String(due[0]))?.txHash).toBe(
      outcome.release?.batches[0]?.txHash,
    );
    expect(
      output.toolCalls().some((call) => call.tool === "subgraph" && call.operation === "releaseCandidates.complete"),
    ).toBe(true);
  });

  it("expires a dispute past its timeout and a voucher past its validity, and the next run finds nothing due", async () => {
    const disputed = await commit(offerId, price);
    await buyerCalls("redeemVoucher", disputed);
    await buyerCalls("raiseDispute", disputed);
    const unredeemed = await commit(offerId, price);
    const [, timeout] = await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "getDisputeTimeout",
      args: [disputed],
    });
    // The dispute resolves in 7 days, the voucher is valid 30 days.
    await travel(31 * day);
    const block = await fixture.publicClient.getBlock();
    expect(block.timestamp).toBeGreaterThan(timeout);
    output.clear();

    const outcome = await runJob(withdrawJob, await deps());

    expect(outcome.status).toBe("succeeded");
    expect(outcome.release?.batches.map((batch) => [batch.kind, batch.exchangeIds])).toEqual(
      expect.arrayContaining([
        ["expireDispute", [String(disputed)]],
        ["expireVoucher", [String(unredeemed)]],
      ]),
    );
    expect(await stateOf(unredeemed)).toBe(ExchangeState.Canceled);
    const [, dispute] = await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "getDispute",
      args: [disputed],
    });
    expect(dispute.state).toBe(1); // Retracted: an expired dispute counts as retracted
    expect(await available()).toBe(0n);

    output.clear();
    const again = await runJob(withdrawJob, await deps());
    expect(again).toMatchObject({ status: "succeeded", reason: "below-threshold" });
    expect(again.release).toMatchObject({ status: "succeeded", reason: "nothing-due", released: [], batches: [] });
  });

  it("sends no release while the Exchanges region is paused and reports a transient outcome", async () => {
    const id = await commit(offerId, price);
    await buyerCalls("redeemVoucher", id);
    await travel(day + 1);
    await setPaused(fixture, [PausableRegion.Exchanges], true);
    try {
      const nonce = await fixture.publicClient.getTransactionCount({ address: chain.account.address });
      output.clear();
      const outcome = await runJob(withdrawJob, await deps());
      expect(outcome).toMatchObject({ status: "transient", reason: "escrow-region-paused" });
      expect(outcome.release?.skipped).toEqual([
        { exchangeId: String(id), kind: "complete", reason: "region-paused:Exchanges" },
      ]);
      expect(await fixture.publicClient.getTransactionCount({ address: chain.account.address })).toBe(nonce);
      expect(decisions().map((call) => call.outcome)).toEqual(["transient"]);
      expect(output.metricValues("JobTransient")).toEqual([1]);
    } finally {
      await setPaused(fixture, [PausableRegion.Exchanges], false);
    }
    expect((await runJob(withdrawJob, await deps())).release?.released).toEqual([String(id)]);
  });
});

describe("reserve for the active offers", () => {
  it("withdraws only the excess, so buyers' commits keep drawing the seller deposit", async () => {
    const deposit = parseEther("0.05");
    const margin = parseEther("0.01");
    const price = parseEther("0.01");
    const offerId = await createOffer(fixture, seller.sellerId, { price, sellerDeposit: deposit, quantity: 4n });
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
    const before = await available();
    output.clear();

    const outcome = await runJob(
      withdrawJob,
      await deps({
        tokens: [{ address: zeroAddress, symbol: "ETH", withdrawThresholdWei: 1n, reserveMarginWei: margin }],
      }),
    );

    const reserve = deposit * 4n + margin;
    expect(outcome).toMatchObject({ status: "succeeded", reason: "withdrawn" });
    expect(outcome.reserves).toEqual([
      {
        token: zeroAddress,
        symbol: "ETH",
        availableWei: before.toString(),
        reserveWei: reserve.toString(),
        excessWei: (before - reserve).toString(),
      },
    ]);
    expect(outcome.withdrawn[0]?.amountWei).toBe((before - reserve).toString());
    expect(output.metricValues("ReserveWei")).toEqual([Number(reserve)]);
    expect(output.metricValues("WithdrawableExcessWei")).toEqual([Number(before - reserve)]);
    expect(output.metricValues("ReserveShortfall")).toEqual([0]);
    // Every remaining unit can still be sold: each commit draws the deposit from what was kept.
    for (let unit = 0; unit < 4; unit++) await commit(offerId, price);
    expect(await available()).toBe(margin);

    // Had the run withdrawn everything, the commit would revert as this one does.
    const thin = await createOffer(fixture, seller.sellerId, { price, sellerDeposit: deposit, quantity: 1n });
    await expect(
      fixture.publicClient.simulateContract({
        address: fixture.diamond,
        abi: mergedProtocolAbi,
        functionName: "commitToOffer",
        args: [buyer().account.address, thin],
        value: price,
        account: buyer().account,
      }),
    ).rejects.toThrow(/InsufficientAvailableFunds/);

    // Available below the reserve: nothing withdrawn, and an alert.
    output.clear();
    const short = await runJob(
      withdrawJob,
      await deps({
        tokens: [{ address: zeroAddress, symbol: "ETH", withdrawThresholdWei: 1n, reserveMarginWei: margin }],
      }),
    );
    expect(short).toMatchObject({ status: "succeeded", reason: "below-threshold", withdrawn: [] });
    expect(output.metricValues("ReserveShortfall")).toEqual([1]);
    expect(output.lines().find((line) => line.alert === "reserve-shortfall")?.level).toBe("WARN");
  });
});

describe("seller account takeover guard", () => {
  it("refuses the withdrawal and pages when the admin changed the treasury", async () => {
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
    const attacker: Address = privateKeyToAccount(anvilKeys[1]).address;
    const [, current] = await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "getSeller",
      args: [seller.sellerId],
    });
    await send(fixture, fixture.deployer, {
      address: fixture.diamond,
      abi: fixture.abi,
      functionName: "updateSeller",
      args: [
        { ...current, treasury: attacker },
        { tokenId: 0n, tokenType: 0 },
      ],
    });
    const nonce = await fixture.publicClient.getTransactionCount({ address: chain.account.address });
    const attackerBalance = await fixture.publicClient.getBalance({ address: attacker });
    output.clear();

    const outcome = await runJob(withdrawJob, await deps());

    expect(outcome).toMatchObject({ status: "failed", reason: "seller-account-mismatch", withdrawn: [] });
    expect(outcome.sellerDifferences).toEqual([{ field: "treasury", expected: seller.treasury, actual: attacker }]);
    expect(await fixture.publicClient.getTransactionCount({ address: chain.account.address })).toBe(nonce);
    expect(await fixture.publicClient.getBalance({ address: attacker })).toBe(attackerBalance);
    expect(output.metricValues("SellerAccountMismatch")).toEqual([1]);
    expect(output.metricValues("JobFailed")).toEqual([1]);
    const page = output.lines().find((line) => line.alert === "seller-account-mismatch");
    expect(page).toMatchObject({ level: "ERROR", severity: "high" });
  });
});
