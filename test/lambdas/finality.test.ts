/**
 * Finality (O3): a transaction counts only at the confirmation depth, and
 * only if its block is still canonical there; a reorg that moves it to
 * another block is followed, one that removes it is reported, never counted.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseEther, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createReadClients, type ReadClients } from "../../lambdas/shared/chain/clients";
import { waitForFinality } from "../../lambdas/shared/chain/finality";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { startAnvil, type Anvil } from "../harness/anvil";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import { anvilKeys, deployProtocolFixture, type FixtureDeployment } from "../harness/protocol-fixture";

let anvil: Anvil;
let fixture: FixtureDeployment;
let clients: ReadClients;
let output: CapturedOutput;

beforeAll(async () => {
  anvil = await startAnvil();
  fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
});
afterAll(async () => {
  await anvil?.stop();
});
beforeEach(() => {
  output = captureStdout();
  clients = createReadClients({
    chainId: anvil.chain.id,
    urls: { primary: anvil.rpcUrl },
    logger: createJobLogger("withdraw"),
  });
});
afterEach(() => output.restore());

/** A signed transfer from anvil #2 (so a test can broadcast the same bytes again after a reorg). */
async function signedTransfer(): Promise<Hex> {
  const wallet = fixture.wallet(anvilKeys[2]);
  const request = await wallet.prepareTransactionRequest({
    to: privateKeyToAccount(anvilKeys[3]).address,
    value: parseEther("0.001"),
  });
  return wallet.signTransaction(request);
}

describe("finality", () => {
  it("waits for the confirmation depth before calling a transaction final", async () => {
    const hash = await fixture.publicClient.sendRawTransaction({ serializedTransaction: await signedTransfer() });
    const minedAt = (await fixture.publicClient.waitForTransactionReceipt({ hash })).blockNumber;
    let polls = 0;
    const result = await waitForFinality({
      publicClient: clients.publicClient,
      hash,
      confirmations: 5,
      logger: createJobLogger("withdraw"),
      sleep: async () => {
        polls++;
        await fixture.testClient.mine({ blocks: 1 });
      },
      pollIntervalMs: 0,
    });
    expect(result.status).toBe("final");
    expect(polls).toBe(4);
    expect(await fixture.publicClient.getBlockNumber()).toBe(minedAt + 4n);
  });

  it("follows a reorg that re-includes the transaction in another block (same height check by hash, not by count)", async () => {
    const snapshot = await fixture.testClient.snapshot();
    const signed = await signedTransfer();
    const hash = await fixture.publicClient.sendRawTransaction({ serializedTransaction: signed });
    const first = await fixture.publicClient.waitForTransactionReceipt({ hash });
    let polls = 0;
    const result = await waitForFinality({
      publicClient: clients.publicClient,
      hash,
      confirmations: 3,
      logger: createJobLogger("withdraw"),
      sleep: async () => {
        polls++;
        if (polls === 1) {
          // 2 deep: replace the chain from before the transaction; it comes back one block later.
          await fixture.testClient.mine({ blocks: 1 });
          await fixture.testClient.revert({ id: snapshot });
          await fixture.testClient.mine({ blocks: 1 });
          await fixture.publicClient.sendRawTransaction({ serializedTransaction: signed });
          await fixture.testClient.mine({ blocks: 3 });
          return;
        }
        await fixture.testClient.mine({ blocks: 1 });
      },
      pollIntervalMs: 0,
    });
    expect(result.status).toBe("final");
    if (result.status !== "final") return;
    expect(result.reorgs).toBe(1);
    expect(result.receipt.blockNumber).toBe(first.blockNumber + 1n);
    expect(result.receipt.blockHash).not.toBe(first.blockHash);
    const canonical = await fixture.publicClient.getBlock({ blockNumber: result.receipt.blockNumber });
    expect(canonical.hash).toBe(result.receipt.blockHash);
    expect(output.toolCalls().some((call) => call.operation === "reorg" && call.txHash === hash)).toBe(true);
  });

  it("reports a transaction the reorg removed as dropped", async () => {
    const snapshot = await fixture.testClient.snapshot();
    const hash = await fixture.publicClient.sendRawTransaction({ serializedTransaction: await signedTransfer() });
    await fixture.publicClient.waitForTransactionReceipt({ hash });
    let polls = 0;
    const result = await waitForFinality({
      publicClient: clients.publicClient,
      hash,
      confirmations: 4,
      logger: createJobLogger("withdraw"),
      sleep: async () => {
        polls++;
        if (polls === 2) {
          await fixture.testClient.revert({ id: snapshot });
          await fixture.testClient.mine({ blocks: 6 });
          return;
        }
        await fixture.testClient.mine({ blocks: 1 });
      },
      pollIntervalMs: 0,
    });
    expect(result.status).toBe("dropped");
  });

  it("gives up at its time budget without counting anything", async () => {
    const hash = await fixture.publicClient.sendRawTransaction({ serializedTransaction: await signedTransfer() });
    let now = 0;
    const result = await waitForFinality({
      publicClient: clients.publicClient,
      hash,
      confirmations: 10,
      logger: createJobLogger("withdraw"),
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      pollIntervalMs: 1_000,
      timeoutMs: 5_000,
    });
    expect(result.status).toBe("timeout");
  });
});
