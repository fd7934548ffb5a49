/**
 * One sender per key, transactions that survive (after OpenZeppelin
 * Relayer's transaction lifecycle: managed nonces, resubmission with higher
 * fees, cancellation). A run takes the key's lease, resumes the pending
 * transaction a previous run left (same idempotency key: finish it; another:
 * finish or cancel it first), else sends a new one at the next nonce, written
 * to the store before it is broadcast so an interrupted run leaves a state
 * the next run can finish. Until a receipt appears it watches the nonce:
 *   - stuck (not mined after N blocks or seconds): replaced at the same nonce
 *     with fees raised by at least the node's replacement minimum, never above
 *     the configured cap (refused and alerted instead);
 *   - dropped (the node no longer knows it): the signed transaction is
 *     re-broadcast;
 *   - no longer due (a resumed write whose call would now revert): cancelled
 *     with a zero-value self-transfer at the same nonce.
 * Every step is a tool-call record with the hashes involved.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { keccak256, TransactionNotFoundError, type Address, type Hex } from "viem";
import { metricNames } from "../../../contract/metrics-catalog";
import { logToolCall, withToolCall } from "../../runtime/logger";
import type { JobMetrics } from "../../runtime/metrics";
import type { PendingTransaction, SenderStateStore } from "../../stores/sender-state";
import type { WriteClients } from "../clients";
import { realSleep, type Sleep } from "../finality";
import { assertUnderCap, FeeCapError, replacementFees, type Fees } from "./fees";

export type LifecyclePolicy = {
  stuckAfterBlocks: number;
  stuckAfterSeconds: number;
  /** Fee bump per replacement, percent; never below the node's 10%. */
  bumpPercent: number;
  maxFeePerGasWei: bigint;
  leaseSeconds: number;
};

export type ManagedSend = {
  clients: WriteClients;
  store: SenderStateStore;
  policy: LifecyclePolicy;
  logger: Logger;
  metrics?: JobMetrics;
  requestId: string;
  request: { to: Address; data: Hex; value?: bigint; gas?: bigint };
  purpose: string;
  idempotencyKey: string;
  sleep?: Sleep;
  pollIntervalMs?: number;
  /** How long this run watches before leaving the transaction to the next run (default 2 minutes). */
  watchTimeoutMs?: number;
  now?: () => number;
  /** Test seam: runs right after the first broadcast, as a Lambda killed there would stop. */
  afterBroadcast?: () => void;
};

export class StillPendingError extends Error {
  readonly transient = true;
  constructor(readonly txHash: Hex) {
    super(`transaction ${txHash} is still pending; the next run resumes it`);
    this.name = "StillPendingError";
  }
}

/** Sends (or resumes) the write and returns the hash that was mined. */
export async function sendManaged(send: ManagedSend): Promise<Hex> {
  const { clients, store, requestId } = send;
  const sender = clients.account.address;
  await withToolCall(send.logger, { tool: "dynamodb", operation: "lease.acquire", requestId }, () =>
    store.acquireLease(sender, requestId, send.policy.leaseSeconds),
  );
  try {
    const pending = await store.readPending(sender);
    if (pending && pending.idempotencyKey === send.idempotencyKey) return await watch(send, pending, true);
    if (pending) {
      const due = pending.cancelled || (await stillDue(send, pending));
      if (!due) await cancel(send, pending);
      await watch(send, (await store.readPending(sender)) ?? pending, false).catch((error: unknown) => {
        if (!(error instanceof NonceTakenError)) throw error;
      });
    }
    return await watch(send, await sendNew(send), false);
  } finally {
    await store.releaseLease(sender, requestId).catch(() => undefined);
  }
}

class NonceTakenError extends Error {
  constructor(readonly nonce: number) {
    super(`nonce ${nonce} was used by another transaction`);
    this.name = "NonceTakenError";
  }
}

async function stillDue(send: ManagedSend, pending: PendingTransaction): Promise<boolean> {
  try {
    await send.clients.publicClient.call({
      account: send.clients.account.address,
      to: pending.to,
      data: pending.data,
      value: BigInt(pending.value),
    });
    return true;
  } catch {
    return false;
  }
}

async function currentFees(send: ManagedSend): Promise<Fees> {
  const estimate = await send.clients.publicClient.estimateFeesPerGas();
  return { maxFeePerGas: estimate.maxFeePerGas, maxPriorityFeePerGas: estimate.maxPriorityFeePerGas };
}

async function sign(
  send: ManagedSend,
  fields: { to: Address; data: Hex; value: bigint; gas: bigint; nonce: number } & Fees,
): Promise<Hex> {
  const { clients } = send;
  return withToolCall(send.logger, { tool: "kms", operation: "signTransaction", requestId: send.requestId }, () =>
    clients.walletClient.signTransaction({
      account: clients.account,
      chain: clients.chain,
      type: "eip1559",
      ...fields,
    }),
  );
}

async function broadcast(
  send: ManagedSend,
  signedTransaction: Hex,
  operation: string,
  details: Record<string, unknown>,
): Promise<Hex> {
  const hash = keccak256(signedTransaction);
  await withToolCall(
    send.logger,
    { tool: "rpc", operation, requestId: send.requestId, txHash: hash, details },
    async () => {
      try {
        await send.clients.publicClient.sendRawTransaction({ serializedTransaction: signedTransaction });
      } catch (error) {
        // Already in the pool is what we want; nonce too low means a version of it (or its replacement) was mined meanwhile: the watch loop finds which.
        if (
          !/already known|already imported|known transaction|nonce too low/i.test(
            error instanceof Error ? error.message : String(error),
          )
        )
          throw error;
      }
    },
  );
  return hash;
}

async function sendNew(send: ManagedSend): Promise<PendingTransaction> {
  const { clients, store, request } = send;
  const sender = clients.account.address;
  const fees = await currentFees(send);
  refuseAboveCap(send, fees);
  const value = request.value ?? 0n;
  const [nonce, gas, block] = await Promise.all([
    clients.publicClient.getTransactionCount({ address: sender, blockTag: "pending" }),
    request.gas ?? clients.publicClient.estimateGas({ account: sender, to: request.to, data: request.data, value }),
    clients.publicClient.getBlockNumber({ cacheTime: 0 }),
  ]);
  const signedTransaction = await sign(send, { to: request.to, data: request.data, value, gas, nonce, ...fees });
  const at = (send.now ?? Date.now)();
  const pending: PendingTransaction = {
    nonce,
    hashes: [keccak256(signedTransaction)],
    signedTransaction,
    maxFeePerGas: fees.maxFeePerGas.toString(),
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
    firstSeenAt: at,
    lastSentAt: at,
    lastSentBlock: block.toString(),
    purpose: send.purpose,
    idempotencyKey: send.idempotencyKey,
    to: request.to,
    data: request.data,
    value: value.toString(),
    gas: gas.toString(),
  };
  // Stored before the broadcast: a run killed in between leaves a transaction the next run can send or find.
  await store.writePending(sender, pending);
  await broadcast(send, signedTransaction, "eth_sendRawTransaction", {
    nonce,
    purpose: send.purpose,
    maxFeePerGas: pending.maxFeePerGas,
  });
  send.afterBroadcast?.();
  return pending;
}

function refuseAboveCap(send: ManagedSend, fees: Fees): void {
  try {
    assertUnderCap(fees, send.policy.maxFeePerGasWei);
  } catch (error) {
    send.metrics?.add(metricNames.txFeeCapReached, 1);
    logToolCall(send.logger, {
      tool: "rpc",
      operation: "lifecycle.feeCap",
      requestId: send.requestId,
      durationMs: 0,
      outcome: "failed",
      error,
      details: { wantedMaxFeePerGas: fees.maxFeePerGas.toString(), capWei: send.policy.maxFeePerGasWei.toString() },
    });
    throw error;
  }
}

async function receiptOf(send: ManagedSend, hashes: readonly Hex[]): Promise<Hex | undefined> {
  for (const hash of hashes) {
    const receipt = await send.clients.publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
    if (receipt) return hash;
  }
  return undefined;
}

async function inPool(send: ManagedSend, hash: Hex): Promise<boolean> {
  try {
    await send.clients.publicClient.getTransaction({ hash });
    return true;
  } catch (error) {
    if (error instanceof TransactionNotFoundError) return false;
    throw error;
  }
}

/** Follows `pending` until one of its hashes is mined, replacing, re-broadcasting as needed. */
async function watch(send: ManagedSend, initial: PendingTransaction, resumed: boolean): Promise<Hex> {
  const { clients, store, policy, logger, requestId } = send;
  const sender = clients.account.address;
  const now = send.now ?? Date.now;
  const sleep = send.sleep ?? realSleep;
  const deadline = now() + (send.watchTimeoutMs ?? 120_000);
  let pending = initial;
  if (resumed)
    logToolCall(logger, {
      tool: "rpc",
      operation: "lifecycle.resume",
      requestId,
      txHash: pending.hashes.at(-1) as Hex,
      durationMs: 0,
      outcome: "ok",
      details: { nonce: pending.nonce, hashes: pending.hashes, purpose: pending.purpose },
    });
  // The age of what this run watches; the alarm compares it with transactions.pendingAlarmMinutes.
  send.metrics?.add(metricNames.txPendingMinutes, Math.round((now() - pending.firstSeenAt) / 600) / 100);
  for (;;) {
    const mined = await receiptOf(send, pending.hashes);
    if (mined) {
      await store.clearPending(sender);
      logToolCall(logger, {
        tool: "rpc",
        operation: "lifecycle.mined",
        requestId,
        txHash: mined,
        durationMs: now() - pending.firstSeenAt,
        outcome: "ok",
        details: {
          nonce: pending.nonce,
          hashes: pending.hashes,
          purpose: pending.purpose,
          cancelled: pending.cancelled === true,
        },
      });
      return mined;
    }
    const latest = pending.hashes.at(-1) as Hex;
    const minedNonce = await clients.publicClient.getTransactionCount({ address: sender, blockTag: "latest" });
    if (minedNonce > pending.nonce) {
      // Mined between the receipt reads, or taken by a transaction the store never saw.
      const late = await receiptOf(send, pending.hashes);
      if (late) continue;
      await store.clearPending(sender);
      throw new NonceTakenError(pending.nonce);
    }
    if (now() >= deadline) {
      send.metrics?.add(metricNames.txPendingMinutes, Math.round((now() - pending.firstSeenAt) / 600) / 100);
      throw new StillPendingError(latest);
    }
    const block = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
    const stuck =
      block - BigInt(pending.lastSentBlock) >= BigInt(policy.stuckAfterBlocks) ||
      now() - pending.lastSentAt >= policy.stuckAfterSeconds * 1000;
    if (stuck) {
      pending = await replace(send, pending, block, {});
    } else if (!(await inPool(send, latest))) {
      try {
        await broadcast(send, pending.signedTransaction, "lifecycle.rebroadcast", {
          nonce: pending.nonce,
          hashes: pending.hashes,
        });
      } catch (error) {
        // The node dropped it for its price (the base fee rose past its max fee): only a replacement can get in.
        if (!underpriced(error)) throw error;
        pending = await replace(send, pending, block, {});
      }
    }
    await sleep(send.pollIntervalMs ?? 1_000);
  }
}

function underpriced(error: unknown): boolean {
  return /underpriced|less than block base fee|fee too low|max fee per gas less than/i.test(
    error instanceof Error ? error.message : String(error),
  );
}

/** A new version of `pending` at the same nonce with higher fees (and, to cancel, a zero-value self-transfer). */
async function replace(
  send: ManagedSend,
  pending: PendingTransaction,
  block: bigint,
  change: { cancel?: boolean },
): Promise<PendingTransaction> {
  const sender = send.clients.account.address;
  let fees: Fees;
  try {
    fees = replacementFees(
      { maxFeePerGas: BigInt(pending.maxFeePerGas), maxPriorityFeePerGas: BigInt(pending.maxPriorityFeePerGas) },
      await currentFees(send),
      send.policy,
    );
  } catch (error) {
    if (error instanceof FeeCapError)
      refuseAboveCap(send, { maxFeePerGas: error.wantedMaxFeePerGas, maxPriorityFeePerGas: 0n });
    throw error;
  }
  const cancelled = change.cancel === true || pending.cancelled === true;
  const call = cancelled
    ? { to: sender, data: "0x" as Hex, value: 0n, gas: 21_000n }
    : { to: pending.to, data: pending.data, value: BigInt(pending.value), gas: BigInt(pending.gas) };
  const signedTransaction = await sign(send, { ...call, nonce: pending.nonce, ...fees });
  const hash = keccak256(signedTransaction);
  const next: PendingTransaction = {
    ...pending,
    hashes: [...pending.hashes, hash],
    signedTransaction,
    maxFeePerGas: fees.maxFeePerGas.toString(),
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
    lastSentAt: (send.now ?? Date.now)(),
    lastSentBlock: block.toString(),
    ...(cancelled ? { cancelled: true } : {}),
  };
  await send.store.writePending(sender, next);
  await broadcast(send, signedTransaction, cancelled ? "lifecycle.cancel" : "lifecycle.replace", {
    nonce: pending.nonce,
    previousHash: pending.hashes.at(-1),
    maxFeePerGas: next.maxFeePerGas,
    maxPriorityFeePerGas: next.maxPriorityFeePerGas,
  });
  return next;
}

async function cancel(send: ManagedSend, pending: PendingTransaction): Promise<void> {
  const block = await send.clients.publicClient.getBlockNumber({ cacheTime: 0 });
  await replace(send, pending, block, { cancel: true });
}
