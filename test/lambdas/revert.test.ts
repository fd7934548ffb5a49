/**
 * Revert decoding (C2): custom errors from the protocol, arguments included,
 * whether the call fails in simulation or the transaction is mined and
 * reverts, surface as { errorName, args, txHash? } in the log record and on
 * the thrown error.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeErrorResult, parseEther, zeroAddress } from "viem";
import type { WriteClients } from "../../lambdas/shared/chain/clients";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { mergedProtocolAbi, PausableRegion, protocolAbi } from "../../lambdas/shared/chain/protocol";
import { decodeRevertData, ProtocolRevertError, withDecodedRevert } from "../../lambdas/shared/chain/revert";
import { sendProtocolTransaction, type SendOptions } from "../../lambdas/shared/chain/transactions";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import { startKmsSellerChain, type KmsSellerChain } from "../harness/kms-seller-chain";
import { setPaused, type FixtureDeployment, type SellerSetup } from "../harness/protocol-fixture";

let chain: KmsSellerChain;
let fixture: FixtureDeployment;
let seller: SellerSetup;
let clients: WriteClients;
let output: CapturedOutput;

beforeAll(async () => {
  chain = await startKmsSellerChain({ depositWei: parseEther("1") });
  ({ fixture, seller } = chain);
  clients = chain.writeClients("withdraw");
});
afterAll(async () => {
  await chain?.stop();
});
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => output.restore());

function options(extra: Partial<SendOptions> = {}): SendOptions {
  return {
    clients,
    diamond: fixture.diamond,
    logger: createJobLogger("withdraw"),
    requestId: "revert-test",
    confirmations: 1,
    sleep: chain.mineOnSleep,
    pollIntervalMs: 0,
    ...extra,
  };
}

describe("revert decoding", () => {
  it("decodes a custom error with arguments from a failed simulation (RegionPaused(10)), in the log and on the error", async () => {
    await setPaused(fixture, [PausableRegion.Funds], true);
    try {
      // A paused-regions read from before the pause (a race): the simulation catches it.
      const error = await sendProtocolTransaction(
        { functionName: "withdrawFunds", args: [seller.sellerId, [zeroAddress], [parseEther("0.1")]] },
        options({ paused: { values: [], names: [] } }),
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProtocolRevertError);
      expect((error as ProtocolRevertError).revert).toMatchObject({
        errorName: "RegionPaused",
        args: [PausableRegion.Funds],
      });
      expect((error as ProtocolRevertError).message).toContain("withdrawFunds reverted with RegionPaused(10)");
      const record = output.toolCalls().find((call) => call.operation === "simulate.withdrawFunds");
      expect(record).toMatchObject({
        outcome: "failed",
        requestId: "revert-test",
        error: { errorName: "RegionPaused", args: [10], functionName: "withdrawFunds" },
      });
    } finally {
      await setPaused(fixture, [PausableRegion.Funds], false);
    }
  });

  it("decodes a mined transaction's revert, with its tx hash", async () => {
    await setPaused(fixture, [PausableRegion.Funds], true);
    try {
      const error = await sendProtocolTransaction(
        { functionName: "withdrawFunds", args: [seller.sellerId, [zeroAddress], [parseEther("0.1")]] },
        options({ paused: { values: [], names: [] }, unsimulatedGas: 300_000n }),
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProtocolRevertError);
      const revert = (error as ProtocolRevertError).revert;
      expect(revert).toMatchObject({ errorName: "RegionPaused", args: [10] });
      expect(revert.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      const receipt = await fixture.publicClient.getTransactionReceipt({ hash: revert.txHash ?? "0x" });
      expect(receipt.status).toBe("reverted");
      const record = output.toolCalls().find((call) => call.operation === "receipt.withdrawFunds");
      expect(record).toMatchObject({
        outcome: "failed",
        txHash: revert.txHash,
        error: { errorName: "RegionPaused", args: [10], txHash: revert.txHash },
      });
    } finally {
      await setPaused(fixture, [PausableRegion.Funds], false);
    }
  });

  it("decodes argument-less protocol errors (InsufficientAvailableFunds)", async () => {
    const error = await sendProtocolTransaction(
      { functionName: "withdrawFunds", args: [seller.sellerId, [zeroAddress], [parseEther("50")]] },
      options(),
    ).catch((caught: unknown) => caught);
    expect((error as ProtocolRevertError).revert).toMatchObject({ errorName: "InsufficientAvailableFunds", args: [] });
  });

  it("decodes reverts of plain reads and simulations too", async () => {
    const error = await withDecodedRevert("withdrawFunds", () =>
      fixture.publicClient.simulateContract({
        address: fixture.diamond,
        abi: protocolAbi,
        functionName: "withdrawFunds",
        args: [seller.sellerId, [zeroAddress], [parseEther("50")]],
        account: clients.account,
      }),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProtocolRevertError);
    expect((error as ProtocolRevertError).revert).toMatchObject({ errorName: "InsufficientAvailableFunds", args: [] });
    const plain = await withDecodedRevert("getBlockNumber", () => Promise.reject(new Error("network down"))).catch(
      (caught: unknown) => caught,
    );
    expect(plain).not.toBeInstanceOf(ProtocolRevertError);
  });

  it("names unknown selectors instead of guessing", () => {
    expect(decodeRevertData("0xdeadbeef")).toEqual({ errorName: "Unknown", args: [], selector: "0xdeadbeef" });
    const data = encodeErrorResult({
      abi: mergedProtocolAbi,
      errorName: "RegionPaused",
      args: [PausableRegion.Exchanges],
    });
    expect(decodeRevertData(data)).toMatchObject({ errorName: "RegionPaused", args: [8] });
  });
});
