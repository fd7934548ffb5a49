/**
 * One state-changing protocol call, end to end: paused-region check (H2),
 * simulation with revert decoding (C2), KMS signature (S1), submission through
 * the relayer or directly (O4), and finality with the reorg check (O3). Each
 * step is one tool-call record (B1) carrying the exchangeId or requestId and,
 * once known, the tx hash. Idempotency (O1) is the caller's: it wraps this.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { encodeFunctionData, type Address, type Hex, type TransactionReceipt } from "viem";
import type { WriteClients } from "./clients";
import { NotFinalError, waitForFinality, type Sleep } from "./finality";
import { withToolCall } from "../runtime/logger";
import { assertRegionOpen, readPausedRegions, type PausedRegions } from "./paused-regions";
import { mergedProtocolAbi, type StateChangingFunction } from "./protocol";
import { submitSignedTransaction, type Relayer, type SubmissionPath } from "./relayer";
import { asProtocolRevert, decodeMinedRevert } from "./revert";

export type ProtocolTransaction = {
  functionName: StateChangingFunction;
  args: readonly unknown[];
  value?: bigint;
};

export type SendOptions = {
  clients: WriteClients;
  diamond: Address;
  logger: Logger;
  requestId: string;
  exchangeId?: string;
  confirmations: number;
  relayer?: Relayer;
  sleep?: Sleep;
  pollIntervalMs?: number;
  finalityTimeoutMs?: number;
  /** Regions already read this run; read here when absent. */
  paused?: PausedRegions;
  /** Skip the pre-flight simulation and gas estimate (gas given): only to exercise on-chain reverts. */
  unsimulatedGas?: bigint;
};

export type SentTransaction = {
  txHash: Hex;
  receipt: TransactionReceipt;
  path: SubmissionPath;
  fallbackReason?: string;
  gasSpentWei: bigint;
  reorgs: number;
};

export async function sendProtocolTransaction(call: ProtocolTransaction, options: SendOptions): Promise<SentTransaction> {
  const { clients, diamond, logger, requestId, exchangeId } = options;
  const { publicClient, walletClient, account, chain } = clients;
  const context = { requestId, ...(exchangeId ? { exchangeId } : {}) };
  const operation = call.functionName;

  const paused = options.paused ?? (await readPausedRegions(publicClient, diamond, logger, context));
  assertRegionOpen(paused, call.functionName);

  const data = encodeFunctionData({ abi: mergedProtocolAbi, functionName: call.functionName, args: call.args });

  if (options.unsimulatedGas === undefined) {
    await withToolCall(logger, { tool: "rpc", operation: `simulate.${operation}`, ...context }, async () => {
      try {
        await publicClient.call({ account: account.address, to: diamond, data, value: call.value });
      } catch (error) {
        throw asProtocolRevert(call.functionName, error);
      }
    });
  }

  const prepared = await withToolCall(logger, { tool: "rpc", operation: `prepare.${operation}`, ...context }, async () => {
    try {
      return await walletClient.prepareTransactionRequest({
        account,
        chain,
        to: diamond,
        data,
        value: call.value,
        ...(options.unsimulatedGas !== undefined ? { gas: options.unsimulatedGas } : {}),
      });
    } catch (error) {
      throw asProtocolRevert(call.functionName, error);
    }
  }, (request) => ({ details: { nonce: request.nonce, gas: request.gas?.toString() } }));

  const signedTransaction = await withToolCall(logger, { tool: "kms", operation: "signTransaction", ...context }, () =>
    walletClient.signTransaction({ ...prepared, account, chain }),
  );

  const submission = await submitSignedTransaction({
    signedTransaction,
    chainId: chain.id,
    requestId,
    publicClient,
    logger,
    ...(options.relayer ? { relayer: options.relayer } : {}),
    ...(exchangeId ? { exchangeId } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });

  const finality = await waitForFinality({
    publicClient,
    hash: submission.hash,
    confirmations: options.confirmations,
    logger,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.finalityTimeoutMs !== undefined ? { timeoutMs: options.finalityTimeoutMs } : {}),
    ...context,
  });
  if (finality.status !== "final") throw new NotFinalError(submission.hash, finality);

  const { receipt } = finality;
  if (receipt.status === "reverted") {
    const revert = await decodeMinedRevert(publicClient, {
      functionName: call.functionName,
      txHash: submission.hash,
      from: account.address,
      to: diamond,
      data,
      ...(call.value !== undefined ? { value: call.value } : {}),
      blockNumber: receipt.blockNumber,
    });
    await withToolCall(logger, { tool: "rpc", operation: `receipt.${operation}`, ...context, txHash: submission.hash }, () => Promise.reject(revert));
  }
  return {
    txHash: submission.hash,
    receipt,
    path: submission.path,
    ...(submission.fallbackReason ? { fallbackReason: submission.fallbackReason } : {}),
    gasSpentWei: receipt.gasUsed * receipt.effectiveGasPrice,
    reorgs: finality.reorgs,
  };
}
