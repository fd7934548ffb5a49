/**
 * One state-changing protocol call, end to end: paused-region check (H2),
 * simulation with revert decoding (C2), KMS signature (S1), submission as a
 * meta-transaction through the relayer when one is configured (O4, see
 * meta-transaction-send.ts) or as the assistant's own transaction, and
 * finality with the reorg check (O3). Each
 * step is one tool-call record (B1) carrying the exchangeId or requestId and,
 * once known, the tx hash. Idempotency (O1) is the caller's: it wraps this.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { encodeFunctionData, keccak256, type Address, type Hex, type TransactionReceipt } from "viem";
import type { WriteClients } from "./clients";
import { NotFinalError, waitForFinality, type Sleep } from "./finality";
import { withToolCall } from "../runtime/logger";
import { assertRegionOpen, readPausedRegions, type PausedRegions } from "./paused-regions";
import { mergedProtocolAbi, type StateChangingFunction } from "./protocol";
import type { Relayer } from "./relayer";
import type { JobMetrics } from "../runtime/metrics";
import type { SenderStateStore } from "../stores/sender-state";
import { sendManaged, type LifecyclePolicy } from "./lifecycle/managed-sender";
import { sendMetaTransaction } from "./meta-transaction-send";
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
  /** The write's idempotency key: seeds the meta-transaction nonce, so a resumed write cannot execute twice. */
  idempotencyKey?: string;
  sleep?: Sleep;
  pollIntervalMs?: number;
  finalityTimeoutMs?: number;
  /** Regions already read this run; read here when absent. */
  paused?: PausedRegions;
  /** The transaction lifecycle (lease, persisted pending transaction, replacement, cancellation); without it the node picks the nonce. */
  lifecycle?: { store: SenderStateStore; policy: LifecyclePolicy };
  /** Emits the meta-transaction path metrics when given. */
  metrics?: JobMetrics;
  /** How long a relayed transaction (or its resubmissions) may take to mine before the assistant sends it itself (default 2 minutes). */
  relayedMineTimeoutMs?: number;
  /** Skip the pre-flight simulation and gas estimate (gas given): only to exercise on-chain reverts. */
  unsimulatedGas?: bigint;
};

export type SubmissionPath = "relayer" | "direct";

export type SentTransaction = {
  txHash: Hex;
  receipt: TransactionReceipt;
  path: SubmissionPath;
  fallbackReason?: string;
  gasSpentWei: bigint;
  reorgs: number;
};

export async function sendProtocolTransaction(
  call: ProtocolTransaction,
  options: SendOptions,
): Promise<SentTransaction> {
  const { clients, diamond, logger, requestId, exchangeId } = options;
  const context = { requestId, ...(exchangeId ? { exchangeId } : {}) };
  const paused = options.paused ?? (await readPausedRegions(clients.publicClient, diamond, logger, context));
  assertRegionOpen(paused, call.functionName);
  if (options.relayer) return sendMetaTransaction(call, { ...options, relayer: options.relayer, paused });
  const data = encodeFunctionData({ abi: mergedProtocolAbi, functionName: call.functionName, args: call.args });
  return sendCalldata(
    { functionName: call.functionName, data, ...(call.value !== undefined ? { value: call.value } : {}) },
    options,
  );
}

/**
 * The assistant's own transaction to the diamond (or to `call.to`, such as an
 * ERC-20) with `data`: simulation, KMS-signed, sent over RPC, followed to
 * finality; a revert (simulated or mined) is decoded. `functionName` names
 * the call in records and errors.
 */
export async function sendCalldata(
  call: { functionName: string; data: Hex; value?: bigint; to?: Address },
  options: SendOptions,
  submission: { fallbackReason?: string } = {},
): Promise<SentTransaction> {
  const { clients, diamond, logger, requestId, exchangeId } = options;
  const { publicClient, walletClient, account, chain } = clients;
  const context = { requestId, ...(exchangeId ? { exchangeId } : {}) };
  const operation = call.functionName;
  const { data } = call;
  const to = call.to ?? diamond;

  if (options.unsimulatedGas === undefined) {
    await withToolCall(logger, { tool: "rpc", operation: `simulate.${operation}`, ...context }, async () => {
      try {
        await publicClient.call({ account: account.address, to, data, value: call.value });
      } catch (error) {
        throw asProtocolRevert(call.functionName, error);
      }
    });
  }

  if (options.lifecycle) {
    const hash = await sendManaged({
      clients,
      ...options.lifecycle,
      logger,
      requestId,
      request: {
        to,
        data,
        ...(call.value !== undefined ? { value: call.value } : {}),
        ...(options.unsimulatedGas !== undefined ? { gas: options.unsimulatedGas } : {}),
      },
      purpose: call.functionName,
      idempotencyKey: options.idempotencyKey ?? `${requestId}:${call.functionName}`,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    });
    const sent = await followToFinality({ ...call, to }, hash, options);
    return {
      ...sent,
      path: "direct",
      ...(submission.fallbackReason ? { fallbackReason: submission.fallbackReason } : {}),
    };
  }

  const prepared = await withToolCall(
    logger,
    { tool: "rpc", operation: `prepare.${operation}`, ...context },
    async () => {
      try {
        return await walletClient.prepareTransactionRequest({
          account,
          chain,
          to,
          data,
          value: call.value,
          ...(options.unsimulatedGas !== undefined ? { gas: options.unsimulatedGas } : {}),
        });
      } catch (error) {
        throw asProtocolRevert(call.functionName, error);
      }
    },
    (request) => ({ details: { nonce: request.nonce, gas: request.gas?.toString() } }),
  );

  const signedTransaction = await withToolCall(logger, { tool: "kms", operation: "signTransaction", ...context }, () =>
    walletClient.signTransaction({ ...prepared, account, chain }),
  );
  const hash = await withToolCall(
    logger,
    { tool: "rpc", operation: "eth_sendRawTransaction", ...context, txHash: keccak256(signedTransaction) },
    () => sendRawIdempotently(clients, signedTransaction),
    () => ({
      details: { path: "direct", ...(submission.fallbackReason ? { fallbackReason: submission.fallbackReason } : {}) },
    }),
  );
  const sent = await followToFinality({ ...call, to }, hash, options);
  return {
    ...sent,
    path: "direct",
    ...(submission.fallbackReason ? { fallbackReason: submission.fallbackReason } : {}),
  };
}

/** Waits until `hash` is final and decodes a mined revert of `call` (sent to the diamond unless `call.to` says otherwise). */
export async function followToFinality(
  call: { functionName: string; data: Hex; value?: bigint; to?: Address },
  hash: Hex,
  options: SendOptions,
): Promise<Omit<SentTransaction, "path">> {
  const { clients, diamond, logger, requestId, exchangeId } = options;
  const context = { requestId, ...(exchangeId ? { exchangeId } : {}) };
  const finality = await waitForFinality({
    publicClient: clients.publicClient,
    hash,
    confirmations: options.confirmations,
    logger,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.finalityTimeoutMs !== undefined ? { timeoutMs: options.finalityTimeoutMs } : {}),
    ...context,
  });
  if (finality.status !== "final") throw new NotFinalError(hash, finality);

  const { receipt } = finality;
  if (receipt.status === "reverted") {
    const revert = await decodeMinedRevert(clients.publicClient, {
      functionName: call.functionName,
      txHash: hash,
      from: receipt.from,
      to: call.to ?? diamond,
      data: call.data,
      ...(call.value !== undefined ? { value: call.value } : {}),
      blockNumber: receipt.blockNumber,
    });
    await withToolCall(
      logger,
      { tool: "rpc", operation: `receipt.${call.functionName}`, ...context, txHash: hash },
      () => Promise.reject(revert),
    );
  }
  return { txHash: hash, receipt, gasSpentWei: receipt.gasUsed * receipt.effectiveGasPrice, reorgs: finality.reorgs };
}

/** A send that timed out may still have reached the pool: "already known" means it is there, which is what we want. */
async function sendRawIdempotently(clients: WriteClients, signedTransaction: Hex): Promise<Hex> {
  const expectedHash = keccak256(signedTransaction);
  try {
    return await clients.publicClient.sendRawTransaction({ serializedTransaction: signedTransaction });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (/already known|already imported|known transaction|nonce too low/i.test(text)) {
      const existing = await clients.publicClient.getTransaction({ hash: expectedHash }).catch(() => undefined);
      if (existing) return expectedHash;
    }
    throw error;
  }
}
