/**
 * The transaction lifecycle: replacement fees (unit, against the node rule
 * itself: both fees up by at least 10%), the per-key lease (dynalite), and on
 * anvil with automine off: an underpriced transaction under a rising base fee
 * replaced and mined once, a transaction dropped from the pool re-broadcast,
 * an interrupted run finished by the next, a no-longer-due write cancelled by
 * a zero-value self-transfer at its nonce, and the fee cap refusing to send.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeFunctionData, parseEther, parseGwei, zeroAddress, type Hex } from "viem";
import type { WriteClients } from "../../lambdas/shared/chain/clients";
import {
  FeeCapError,
  nodeReplacementMinimumPercent,
  raisedBy,
  replacementFees,
} from "../../lambdas/shared/chain/lifecycle/fees";
import {
  sendManaged,
  type LifecyclePolicy,
  type ManagedSend,
} from "../../lambdas/shared/chain/lifecycle/managed-sender";
import { PausableRegion, protocolAbi } from "../../lambdas/shared/chain/protocol";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../../lambdas/shared/runtime/metrics";
import {
  createSenderStateStore,
  LeaseHeldError,
  type SenderStateStore,
} from "../../lambdas/shared/stores/sender-state";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import { startKmsSellerChain, type KmsSellerChain } from "../harness/kms-seller-chain";
import { setPaused } from "../harness/protocol-fixture";

/** The node's acceptance rule for a replacement, written independently of the kit's arithmetic. */
const nodeAccepts = (old: bigint, replacement: bigint) =>
  replacement * 100n >= old * BigInt(100 + nodeReplacementMinimumPercent);

describe("replacement fees", () => {
  it.each([0n, 1n, 7n, 9n, 10n, 11n, 99n, 1_000_000_007n, parseGwei("30")])(
    "raise %s wei by at least the node's minimum",
    (value) => {
      expect(nodeAccepts(value, raisedBy(value, 10))).toBe(true);
      expect(raisedBy(value, 10)).toBeGreaterThan(value);
    },
  );

  it("raise both the max fee and the priority fee, follow the market when it is higher, never below the node's 10% even if configured lower", () => {
    const previous = { maxFeePerGas: 101n, maxPriorityFeePerGas: 11n };
    const fees = replacementFees(
      previous,
      { maxFeePerGas: 50n, maxPriorityFeePerGas: 1n },
      { bumpPercent: 1, maxFeePerGasWei: 10_000n },
    );
    expect(
      nodeAccepts(previous.maxFeePerGas, fees.maxFeePerGas) &&
        nodeAccepts(previous.maxPriorityFeePerGas, fees.maxPriorityFeePerGas),
    ).toBe(true);
    const market = replacementFees(
      previous,
      { maxFeePerGas: 500n, maxPriorityFeePerGas: 40n },
      { bumpPercent: 10, maxFeePerGasWei: 10_000n },
    );
    expect(market).toEqual({ maxFeePerGas: 500n, maxPriorityFeePerGas: 40n });
  });

  it("refuse a replacement above the configured cap", () => {
    expect(() =>
      replacementFees(
        { maxFeePerGas: 100n, maxPriorityFeePerGas: 10n },
        { maxFeePerGas: 1n, maxPriorityFeePerGas: 1n },
        { bumpPercent: 10, maxFeePerGasWei: 105n },
      ),
    ).toThrow(FeeCapError);
  });
});

let dynalite: Dynalite;
let tableCounter = 0;
beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite?.stop();
});

async function freshStore(now?: () => number): Promise<SenderStateStore> {
  const table = `sender-${++tableCounter}`;
  await dynalite.createTable(table);
  return createSenderStateStore(dynalite.documents, table, now);
}

describe("the send lease", () => {
  it("admits one run per key until it is released or expires", async () => {
    let clock = 1_000_000;
    const store = await freshStore(() => clock);
    const key = "0x00000000000000000000000000000000000000aa";
    await store.acquireLease(key, "run-a", 60);
    await expect(store.acquireLease(key, "run-b", 60)).rejects.toBeInstanceOf(LeaseHeldError);
    await store.releaseLease(key, "run-b"); // not the owner: no effect
    await expect(store.acquireLease(key, "run-b", 60)).rejects.toBeInstanceOf(LeaseHeldError);
    clock += 61_000; // run-a was killed and never released it
    await store.acquireLease(key, "run-b", 60);
    await store.releaseLease(key, "run-b");
    await store.acquireLease(key, "run-c", 60);
  });
});

describe("transaction lifecycle on anvil (automine off)", () => {
  let chain: KmsSellerChain;
  let clients: WriteClients;
  let output: CapturedOutput;
  const policy: LifecyclePolicy = {
    stuckAfterBlocks: 1,
    stuckAfterSeconds: 3_600,
    bumpPercent: 10,
    maxFeePerGasWei: parseGwei("1000"),
    leaseSeconds: 60,
  };

  beforeAll(async () => {
    chain = await startKmsSellerChain({ depositWei: parseEther("1") });
    clients = chain.writeClients("withdraw");
  });
  afterAll(async () => {
    await chain?.stop();
  });
  beforeEach(async () => {
    output = captureStdout();
    await chain.fixture.testClient.setAutomine(false);
  });
  afterEach(async () => {
    output.restore();
    await chain.fixture.testClient.setAutomine(true);
    await chain.fixture.testClient.mine({ blocks: 1 });
  });

  const withdrawData = (amount: bigint) =>
    encodeFunctionData({
      abi: protocolAbi,
      functionName: "withdrawFunds",
      args: [chain.seller.sellerId, [zeroAddress], [amount]],
    });
  const nonceOf = () =>
    chain.fixture.publicClient.getTransactionCount({ address: clients.account.address, blockTag: "latest" });

  function managed(store: SenderStateStore, overrides: Partial<ManagedSend> = {}): ManagedSend {
    return {
      clients,
      store,
      policy,
      logger: createJobLogger("withdraw"),
      requestId: `run-${Math.random().toString(36).slice(2)}`,
      request: { to: chain.fixture.diamond, data: withdrawData(parseEther("0.01")) },
      purpose: "withdrawFunds",
      idempotencyKey: "write-1",
      pollIntervalMs: 10,
      sleep: () => chain.mineOnSleep(),
      watchTimeoutMs: 20_000,
      ...overrides,
    };
  }

  it("replaces an underpriced transaction under a rising base fee, same nonce, and it is mined once", async () => {
    const store = await freshStore();
    const before = await nonceOf();
    let polls = 0;
    const sleep = async () => {
      // First poll: the base fee jumps above what the first version offered, and an empty block is mined.
      if (polls++ === 0) await chain.fixture.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("200") });
      await chain.mineOnSleep();
    };
    const mined = await sendManaged(managed(store, { sleep }));
    const replaced = output.toolCalls().find((call) => call.operation === "lifecycle.replace");
    expect(replaced).toBeDefined();
    expect(replaced?.txHash).toBe(mined);
    expect(await nonceOf()).toBe(before + 1);
    const record = output.toolCalls().find((call) => call.operation === "lifecycle.mined");
    const hashes = (record?.details as { hashes: Hex[] }).hashes;
    expect(hashes.length).toBeGreaterThanOrEqual(2);
    const receipts = await Promise.all(
      hashes.map((hash) =>
        chain.fixture.publicClient.getTransactionReceipt({ hash }).then(
          () => hash,
          () => undefined,
        ),
      ),
    );
    expect(receipts.filter(Boolean)).toEqual([mined]);
    expect(await store.readPending(clients.account.address)).toBeUndefined();
  });

  it("re-broadcasts a transaction the node dropped from its pool", async () => {
    const store = await freshStore();
    const before = await nonceOf();
    let first: Hex | undefined;
    const mined = await sendManaged(
      managed(store, {
        afterBroadcast: () => undefined,
        sleep: async () => {
          if (!first) {
            first = (await store.readPending(clients.account.address))?.hashes[0];
            await chain.fixture.testClient.dropTransaction({ hash: first as Hex });
            return;
          }
          await chain.mineOnSleep();
        },
      }),
    );
    expect(mined).toBe(first);
    expect(output.toolCalls().find((call) => call.operation === "lifecycle.rebroadcast")).toMatchObject({
      txHash: first,
    });
    expect(await nonceOf()).toBe(before + 1);
  });

  it("a run killed after sending is finished by the next: one transaction on chain, the same hash", async () => {
    const store = await freshStore();
    const before = await nonceOf();
    const sentAt = Date.now();
    const killed = await sendManaged(
      managed(store, {
        now: () => sentAt,
        afterBroadcast: () => {
          throw new Error("killed");
        },
      }),
    ).catch((error: unknown) => error);
    expect((killed as Error).message).toBe("killed");
    const left = await store.readPending(clients.account.address);
    expect(left?.idempotencyKey).toBe("write-1");
    // The next run starts 12.5 minutes later and reports the pending age the alarm compares.
    const metrics = createJobMetrics("withdraw", "test");
    const mined = await sendManaged(managed(store, { metrics, now: () => sentAt + 750_000 }));
    metrics.flush();
    expect(output.metricValues("TxPendingMinutes")).toEqual([12.5]);
    expect(mined).toBe(left?.hashes[0]);
    expect(output.toolCalls().find((call) => call.operation === "lifecycle.resume")).toMatchObject({
      txHash: left?.hashes[0],
    });
    expect(await nonceOf()).toBe(before + 1);
  });

  it("cancels a pending write that is no longer due with a zero-value self-transfer at its nonce, then sends the new one", async () => {
    const store = await freshStore();
    const before = await nonceOf();
    // The withdrawal was due when sent (gas fixed, no estimate); the Funds region is paused since, so it would now revert.
    await chain.fixture.testClient.setAutomine(true);
    await setPaused(chain.fixture, [PausableRegion.Funds], true);
    await chain.fixture.testClient.setAutomine(false);
    const dueThen = { to: chain.fixture.diamond, data: withdrawData(parseEther("0.01")), gas: 200_000n };
    await sendManaged(
      managed(store, {
        request: dueThen,
        afterBroadcast: () => {
          throw new Error("killed");
        },
      }),
    ).catch(() => undefined);
    const left = await store.readPending(clients.account.address);
    const treasury = chain.seller.treasury;
    const mined = await sendManaged(
      managed(store, {
        idempotencyKey: "write-2",
        purpose: "transfer",
        request: { to: treasury, data: "0x", value: 1n },
      }),
    );
    const cancel = output.toolCalls().find((call) => call.operation === "lifecycle.cancel");
    expect(cancel).toMatchObject({ details: { nonce: left?.nonce, previousHash: left?.hashes[0] } });
    const cancelTx = await chain.fixture.publicClient.getTransaction({ hash: cancel?.txHash as Hex });
    expect(cancelTx).toMatchObject({ to: clients.account.address.toLowerCase(), value: 0n, nonce: left?.nonce });
    expect((await chain.fixture.publicClient.getTransaction({ hash: mined })).nonce).toBe((left?.nonce ?? -1) + 1);
    expect(await nonceOf()).toBe(before + 2);
    await chain.fixture.testClient.setAutomine(true);
    await setPaused(chain.fixture, [PausableRegion.Funds], false);
  });

  it("refuses to send above the fee cap and emits the alert metric", async () => {
    const store = await freshStore();
    const before = await chain.fixture.publicClient.getTransactionCount({
      address: clients.account.address,
      blockTag: "pending",
    });
    const metrics = createJobMetrics("withdraw", "test");
    const refused = await sendManaged(managed(store, { metrics, policy: { ...policy, maxFeePerGasWei: 1n } })).catch(
      (error: unknown) => error,
    );
    metrics.flush();
    expect(refused).toBeInstanceOf(FeeCapError);
    expect(
      await chain.fixture.publicClient.getTransactionCount({ address: clients.account.address, blockTag: "pending" }),
    ).toBe(before);
    expect(output.metricValues("TxFeeCapReached")).toEqual([1]);
    expect(output.toolCalls().find((call) => call.operation === "lifecycle.feeCap")).toMatchObject({
      outcome: "failed",
    });
  });
});
