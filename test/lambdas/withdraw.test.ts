/**
 * The withdraw job (M1) against real local peers: anvil with the protocol
 * fixture, the KMS endpoint (the job signs through kmsAccount), dynalite for
 * Powertools idempotency. Faults: KMS throttling, paused Funds region,
 * concurrent invocations, a reorg shallower than the confirmations, primary
 * RPC down.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseAbiItem, parseEther, zeroAddress, type Address } from "viem";
import { createReadClients, createWriteClients, type WriteClients } from "../../lambdas/shared/chain/clients";
import type { KmsAccount } from "../../lambdas/shared/kms-account/account";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { PausableRegion, protocolAbi } from "../../lambdas/shared/chain/protocol";
import { withdrawTestDeps } from "../harness/withdraw-deps";
import {
  withdrawJob,
  type WithdrawConfig,
  type WithdrawDeps,
  type WithdrawOutcome,
} from "../../lambdas/withdraw/withdraw";
import { runJob } from "../../lambdas/shared/runtime/run-job";
import type { Anvil } from "../harness/anvil";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import { freePort } from "../harness/free-port";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import type { KmsEndpoint } from "../harness/kms-endpoint";
import { startKmsSellerChain, type KmsSellerChain } from "../harness/kms-seller-chain";
import { depositFunds, setPaused, type FixtureDeployment, type SellerSetup } from "../harness/protocol-fixture";
import { startFixtureSubgraph, type SubgraphServer } from "../harness/subgraph-server";

const fundsWithdrawn = parseAbiItem(
  "event FundsWithdrawn(uint256 indexed sellerId, address indexed withdrawnTo, address indexed tokenAddress, uint256 amount, address executedBy)",
);

let chain: KmsSellerChain;
let anvil: Anvil;
let kms: KmsEndpoint;
let dynalite: Dynalite;
let subgraph: SubgraphServer;
let fixture: FixtureDeployment;
let account: KmsAccount;
let seller: SellerSetup;
let clients: WriteClients;
let output: CapturedOutput;
let tableCounter = 0;

beforeAll(async () => {
  [chain, dynalite] = await Promise.all([
    startKmsSellerChain({ retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
    startDynalite(),
  ]);
  ({ anvil, kms, fixture, account, seller } = chain);
  subgraph = await startFixtureSubgraph(anvil.rpcUrl, fixture);
});

afterAll(async () => {
  await Promise.all([chain?.stop(), dynalite?.stop(), subgraph?.stop()]);
});

beforeEach(() => {
  output = captureStdout();
  clients = chain.writeClients("withdraw");
});
afterEach(() => {
  output.restore();
  kms.clearFaults();
});

/** Each test gets its own idempotency table, so keys of one never meet another's. */
async function deps(
  overrides: Partial<Omit<WithdrawDeps, "config">> & { config?: Partial<WithdrawConfig> } = {},
): Promise<WithdrawDeps> {
  const table = `idempotency-${++tableCounter}`;
  await dynalite.createTable(table);
  const { config, ...rest } = overrides;
  return {
    ...withdrawTestDeps({
      fixture,
      seller,
      clients,
      tokens: [
        { address: zeroAddress, symbol: "ETH", withdrawThresholdWei: parseEther("0.5"), reserveMarginWei: 0n },
        { address: fixture.token, symbol: "FUSD", withdrawThresholdWei: parseEther("100"), reserveMarginWei: 0n },
      ],
      table,
      dynamo: dynalite.newClient(),
      subgraphUrl: subgraph.url,
      requestId: `test-${tableCounter}`,
      // Finality waits for blocks: each poll mines one, so confirmations arrive without wall-clock waits.
      sleep: chain.mineOnSleep,
      ...(config ? { config } : {}),
    }),
    ...rest,
  };
}

async function available(token: Address): Promise<bigint> {
  const [funds] = await fixture.publicClient.readContract({
    address: fixture.diamond,
    abi: protocolAbi,
    functionName: "getAvailableFunds",
    args: [seller.sellerId, [token]],
  });
  return funds?.availableAmount ?? 0n;
}

async function withdrawalsSince(fromBlock: bigint) {
  return fixture.publicClient.getLogs({
    address: fixture.diamond,
    event: fundsWithdrawn,
    fromBlock,
    toBlock: "latest",
  });
}

async function drain(): Promise<void> {
  for (const token of [zeroAddress, fixture.token] as const) {
    const amount = await available(token);
    if (amount === 0n) continue;
    const run = await runJob(
      withdrawJob,
      await deps({
        config: { tokens: [{ address: token, symbol: "X", withdrawThresholdWei: 1n, reserveMarginWei: 0n }] },
      }),
    );
    expect(run.status).toBe("succeeded");
  }
  output.clear();
}

describe("withdraw job", () => {
  it("withdraws every token at or above its threshold in one withdrawFunds to the treasury, and emits amounts and gas", async () => {
    await drain();
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("0.75"));
    await depositFunds(fixture, seller.sellerId, fixture.token, parseEther("250"));
    const from = await fixture.publicClient.getBlockNumber();
    const treasuryBefore = await fixture.publicClient.getBalance({ address: seller.treasury });
    output.clear();

    const run = await deps();
    const outcome = await runJob(withdrawJob, run);

    expect(outcome).toMatchObject({
      status: "succeeded",
      reason: "withdrawn",
      idempotency: "executed",
      path: "direct",
    });
    expect(outcome.withdrawn).toEqual([
      { token: zeroAddress, symbol: "ETH", amountWei: parseEther("0.75").toString() },
      { token: fixture.token, symbol: "FUSD", amountWei: parseEther("250").toString() },
    ]);
    const logs = await withdrawalsSince(from + 1n);
    expect(logs).toHaveLength(2);
    expect(new Set(logs.map((log) => log.transactionHash))).toEqual(new Set([outcome.txHash]));
    expect(
      logs.every((log) => log.args.withdrawnTo === seller.treasury && log.args.executedBy === account.address),
    ).toBe(true);
    expect(await fixture.publicClient.getBalance({ address: seller.treasury })).toBe(
      treasuryBefore + parseEther("0.75"),
    );
    expect(await available(zeroAddress)).toBe(0n);

    const receipt = await fixture.publicClient.getTransactionReceipt({ hash: outcome.txHash as `0x${string}` });
    expect(receipt.from.toLowerCase()).toBe(account.address.toLowerCase());
    expect(outcome.gasSpentWei).toBe((receipt.gasUsed * receipt.effectiveGasPrice).toString());
    expect(output.metricValues("WithdrawnAmountWei").sort()).toEqual(
      [Number(parseEther("0.75")), Number(parseEther("250"))].sort(),
    );
    expect(output.metrics().find((metric) => metric.name === "WithdrawnAmountWei")?.dimensions).toMatchObject({
      service: "withdraw",
      Stack: "test",
    });
    expect(output.metricValues("GasSpentWei")).toEqual([Number(receipt.gasUsed * receipt.effectiveGasPrice)]);
    expect(output.metricValues("JobSucceeded")).toEqual([1]);
    // One record per tool call, each with the request id; the signature is a KMS tool call with no signature in it.
    const calls = output.toolCalls();
    expect(calls.map((call) => `${call.tool}.${call.operation}`)).toEqual(
      expect.arrayContaining([
        "rpc.getAvailableFunds",
        "rpc.getPausedRegions",
        "rpc.simulate.withdrawFunds",
        "kms.signTransaction",
        "rpc.eth_sendRawTransaction",
        "rpc.finality",
      ]),
    );
    expect(new Set(calls.filter((call) => call.tool !== "dynamodb").map((call) => call.requestId))).toEqual(
      new Set([run.requestId]),
    );
    expect(calls.find((call) => call.operation === "finality")?.txHash).toBe(outcome.txHash);
    expect(JSON.stringify(output.lines())).not.toMatch(/0x[0-9a-fA-F]{130}/);
  });

  it("leaves tokens below their threshold alone and sends nothing", async () => {
    await drain();
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("0.1"));
    const nonce = await fixture.publicClient.getTransactionCount({ address: account.address });
    const outcome = await runJob(withdrawJob, await deps());
    expect(outcome).toMatchObject({ status: "succeeded", reason: "below-threshold", withdrawn: [] });
    expect(await fixture.publicClient.getTransactionCount({ address: account.address })).toBe(nonce);
  });

  it("succeeds through KMS throttling (the signature is retried)", async () => {
    await drain();
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
    kms.resetCounters();
    kms.injectFault({ operation: "Sign", error: "ThrottlingException", times: 2 });
    const outcome = await runJob(withdrawJob, await deps());
    expect(outcome).toMatchObject({ status: "succeeded", reason: "withdrawn" });
    expect(kms.calls().Sign).toBe(3);
    expect(await available(zeroAddress)).toBe(0n);
    expect(
      output
        .toolCalls()
        .filter((call) => call.tool === "kms" && call.operation === "signTransaction")
        .map((call) => call.outcome),
    ).toEqual(["ok"]);
  });

  it("sends no transaction while the Funds region is paused, and reports a transient outcome", async () => {
    await drain();
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
    await setPaused(fixture, [PausableRegion.Funds], true);
    try {
      const nonce = await fixture.publicClient.getTransactionCount({ address: account.address });
      kms.resetCounters();
      const outcome = await runJob(withdrawJob, await deps());
      expect(outcome).toMatchObject({ status: "transient", reason: "region-paused", withdrawn: [] });
      expect(await fixture.publicClient.getTransactionCount({ address: account.address })).toBe(nonce);
      expect(kms.calls().Sign).toBe(0);
      expect(output.metricValues("JobTransient")).toEqual([1]);
      expect(output.metricValues("JobFailed")).toEqual([]);
      const record = output.lines().find((line) => line.message === "withdraw run transient");
      expect(record?.level).toBe("WARN");
    } finally {
      await setPaused(fixture, [PausableRegion.Funds], false);
    }
    expect((await runJob(withdrawJob, await deps())).status).toBe("succeeded");
  });

  it("sends exactly one transaction for two concurrent invocations with the same key", async () => {
    await drain();
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
    const from = await fixture.publicClient.getBlockNumber();
    const nonce = await fixture.publicClient.getTransactionCount({ address: account.address });
    const shared = await deps();
    const [first, second] = await Promise.all([
      runJob(withdrawJob, shared),
      runJob(withdrawJob, { ...shared, requestId: "concurrent-2" }),
    ]);
    const statuses = [first.idempotency, second.idempotency].sort();
    expect(statuses).toEqual(["executed", "in-progress"]);
    expect([first.status, second.status].sort()).toEqual(["succeeded", "transient"]);
    expect(await fixture.publicClient.getTransactionCount({ address: account.address })).toBe(nonce + 1);
    expect(await withdrawalsSince(from + 1n)).toHaveLength(1);
    // More funds arrive, and a later run in the same window replays the stored result: still one transaction.
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
    const again = await runJob(withdrawJob, { ...shared, requestId: "later" });
    expect(again).toMatchObject({
      status: "succeeded",
      reason: "already-withdrawn",
      idempotency: "replayed",
      txHash: first.txHash ?? second.txHash,
    });
    expect(await fixture.publicClient.getTransactionCount({ address: account.address })).toBe(nonce + 1);
    // The next window is a new key.
    const nextWindow = await runJob(withdrawJob, {
      ...shared,
      requestId: "next-window",
      now: () => Date.now() + 3_600_000,
    });
    expect(nextWindow).toMatchObject({ status: "succeeded", idempotency: "executed" });
    expect(await fixture.publicClient.getTransactionCount({ address: account.address })).toBe(nonce + 2);
  });

  it("keeps a second invocation out while the first one's transaction is pending (no automine)", async () => {
    await drain();
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
    const nonce = await fixture.publicClient.getTransactionCount({ address: account.address });
    const base = await deps();
    let second: WithdrawOutcome | undefined;
    const first = {
      ...base,
      sleep: async () => {
        // The first run holds the key and its transaction sits in the pool: a second invocation starts now.
        second ??= await runJob(withdrawJob, { ...base, requestId: "while-pending" });
        await fixture.testClient.mine({ blocks: 1 });
      },
    };
    await fixture.testClient.setAutomine(false);
    let outcome: WithdrawOutcome;
    try {
      outcome = await runJob(withdrawJob, first);
    } finally {
      await fixture.testClient.setAutomine(true);
    }
    expect(second).toMatchObject({
      status: "transient",
      reason: "in-progress",
      idempotency: "in-progress",
      withdrawn: [],
    });
    expect(outcome).toMatchObject({ status: "succeeded", idempotency: "executed" });
    expect(await fixture.publicClient.getTransactionCount({ address: account.address })).toBe(nonce + 1);
  });

  it("counts nothing when a reorg deeper than 1 and shallower than the confirmations removes the withdrawal", async () => {
    await drain();
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
    const snapshot = await fixture.testClient.snapshot();
    let polls = 0;
    let reorgedAt: bigint | undefined;
    const run = await deps({
      config: { confirmations: 4 },
      sleep: async () => {
        polls++;
        if (polls === 2) {
          // The withdrawal is 2 blocks deep: replace both blocks with other ones, and go past the confirmation depth.
          reorgedAt = await fixture.publicClient.getBlockNumber();
          await fixture.testClient.revert({ id: snapshot });
          await fixture.testClient.mine({ blocks: 6 });
          return;
        }
        await fixture.testClient.mine({ blocks: 1 });
      },
    });
    const outcome = await runJob(withdrawJob, run);
    expect(reorgedAt).toBeDefined();
    const reorgRecords = output
      .toolCalls()
      .filter((call) => call.operation === "reorg" || (call.operation === "finality" && call.outcome === "transient"));
    expect(reorgRecords.length).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ status: "transient", reason: "reorged", withdrawn: [] });
    expect(output.metricValues("WithdrawnAmountWei")).toEqual([]);
    expect(output.metricValues("GasSpentWei")).toEqual([]);
    // Consistent with the chain: the funds are still there, and the failed key was released, so the next run withdraws them.
    expect(await available(zeroAddress)).toBe(parseEther("1"));
    const retry = await runJob(withdrawJob, { ...run, sleep: chain.mineOnSleep });
    expect(retry).toMatchObject({ status: "succeeded", reason: "withdrawn", idempotency: "executed" });
    expect(await available(zeroAddress)).toBe(0n);
  });

  it("uses the fallback RPC when the primary is down, and logs it", async () => {
    await drain();
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
    const dead = `http://127.0.0.1:${await freePort()}`;
    const fallbackClients = createWriteClients({
      chainId: anvil.chain.id,
      urls: { primary: dead, fallback: anvil.rpcUrl },
      logger: createJobLogger("withdraw"),
      account,
      pollingIntervalMs: 20,
    });
    const outcome = await runJob(withdrawJob, await deps({ clients: fallbackClients }));
    expect(outcome).toMatchObject({ status: "succeeded", reason: "withdrawn" });
    expect(fallbackClients.usage.answered.primary).toBe(0);
    expect(fallbackClients.usage.answered.fallback).toBeGreaterThan(0);
    expect(fallbackClients.usage.failed.primary).toBeGreaterThan(0);
    const calls = output.toolCalls();
    expect(
      calls.some((call) => call.tool === "rpc" && call.details?.endpoint === "primary" && call.outcome === "transient"),
    ).toBe(true);
    expect(
      calls.some(
        (call) =>
          call.tool === "rpc" &&
          call.details?.endpoint === "fallback" &&
          call.operation === "eth_sendRawTransaction" &&
          call.outcome === "ok",
      ),
    ).toBe(true);
    expect(output.metricValues("RpcFallbackUsed")).toEqual([fallbackClients.usage.answered.fallback]);
    // No URL path (where providers put API keys) in any record.
    expect(JSON.stringify(output.lines())).not.toContain(anvil.rpcUrl + "/");
    const reads = createReadClients({
      chainId: anvil.chain.id,
      urls: { primary: dead },
      logger: createJobLogger("withdraw"),
    });
    await expect(reads.publicClient.getBlockNumber()).rejects.toThrow();
  });
});
