/**
 * Finality (checklist O3): a transaction counts only once its block is
 * `confirmations` deep, and then only if that block is still the canonical
 * one. viem's confirmation count compares block numbers only, so a reorg that
 * replaced the block (same height, other hash) goes unnoticed: this re-reads
 * the block at the receipt's height once the depth is reached and compares
 * hashes. A replaced block sends us back to the receipt (the transaction may
 * have been re-included elsewhere); a transaction that is gone is reported,
 * never counted.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "@aws-lambda-powertools/logger";
import {
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { logToolCall } from "../runtime/logger";

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => delay(ms);

export type FinalityOptions = {
  publicClient: PublicClient<Transport, Chain>;
  hash: Hex;
  confirmations: number;
  logger: Logger;
  sleep?: Sleep;
  pollIntervalMs?: number;
  /** Gives up (transient) after this long; default 5 minutes. */
  timeoutMs?: number;
  /** How many reorgs to follow before giving up; default 3. */
  maxReorgs?: number;
  now?: () => number;
  exchangeId?: string;
  requestId?: string;
};

export type FinalityResult =
  | { status: "final"; receipt: TransactionReceipt; reorgs: number }
  /** The transaction is not in the canonical chain any more (reorged out): nothing happened. */
  | { status: "dropped"; reorgs: number; lastSeenBlock?: bigint }
  | { status: "timeout"; reorgs: number };

export class NotFinalError extends Error {
  readonly transient = true;
  constructor(
    readonly txHash: Hex,
    readonly result: Exclude<FinalityResult, { status: "final" }>,
  ) {
    super(`transaction ${txHash} is not final (${result.status} after ${result.reorgs} reorg(s)); nothing was counted`);
    this.name = "NotFinalError";
  }
}

async function receiptOrUndefined(
  publicClient: PublicClient<Transport, Chain>,
  hash: Hex,
): Promise<TransactionReceipt | undefined> {
  try {
    return await publicClient.getTransactionReceipt({ hash });
  } catch (error) {
    if (error instanceof TransactionReceiptNotFoundError) return undefined;
    throw error;
  }
}

async function isPending(publicClient: PublicClient<Transport, Chain>, hash: Hex): Promise<boolean> {
  try {
    await publicClient.getTransaction({ hash });
    return true;
  } catch (error) {
    if (error instanceof TransactionNotFoundError) return false;
    throw error;
  }
}

/** Waits until `hash` is final (see the module comment). Never throws for a reorg: the result says what happened. */
export async function waitForFinality(options: FinalityOptions): Promise<FinalityResult> {
  const { publicClient, hash, logger } = options;
  const sleep = options.sleep ?? realSleep;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 300_000);
  const maxReorgs = options.maxReorgs ?? 3;
  const confirmations = BigInt(Math.max(1, options.confirmations));
  const context = {
    ...(options.exchangeId ? { exchangeId: options.exchangeId } : {}),
    ...(options.requestId ? { requestId: options.requestId } : {}),
  };
  let reorgs = 0;
  let lastSeenBlock: bigint | undefined;
  const started = performance.now();

  while (now() < deadline) {
    const receipt = await receiptOrUndefined(publicClient, hash);
    if (!receipt) {
      if (lastSeenBlock !== undefined && !(await isPending(publicClient, hash))) {
        // It was mined and now it is nowhere: reorged out.
        logToolCall(logger, {
          tool: "rpc",
          operation: "finality",
          txHash: hash,
          ...context,
          durationMs: Math.round(performance.now() - started),
          outcome: "transient",
          details: { status: "dropped", reorgs, lastSeenBlock: lastSeenBlock.toString() },
        });
        return { status: "dropped", reorgs, lastSeenBlock };
      }
      await sleep(pollIntervalMs);
      continue;
    }
    lastSeenBlock = receipt.blockNumber;
    const target = receipt.blockNumber + confirmations - 1n;
    let head = await publicClient.getBlockNumber({ cacheTime: 0 });
    while (head < target && now() < deadline) {
      await sleep(pollIntervalMs);
      head = await publicClient.getBlockNumber({ cacheTime: 0 });
    }
    if (head < target) break;
    const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
    if (block.hash === receipt.blockHash) {
      // Re-read the receipt: the one we hold may be from before a reorg that re-included the transaction at the same height.
      const confirmed = await receiptOrUndefined(publicClient, hash);
      if (confirmed && confirmed.blockHash === block.hash) {
        logToolCall(logger, {
          tool: "rpc",
          operation: "finality",
          txHash: hash,
          ...context,
          durationMs: Math.round(performance.now() - started),
          outcome: "ok",
          details: { blockNumber: receipt.blockNumber.toString(), confirmations: Number(confirmations), reorgs },
        });
        return { status: "final", receipt: confirmed, reorgs };
      }
    }
    reorgs++;
    logToolCall(logger, {
      tool: "rpc",
      operation: "reorg",
      txHash: hash,
      ...context,
      durationMs: Math.round(performance.now() - started),
      outcome: "transient",
      details: {
        blockNumber: receipt.blockNumber.toString(),
        receiptBlockHash: receipt.blockHash,
        canonicalBlockHash: block.hash,
        reorgs,
      },
    });
    if (reorgs > maxReorgs) break;
  }
  return { status: "timeout", reorgs };
}
