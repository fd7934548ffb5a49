/**
 * A protocol call as a Boson meta-transaction (checklist O4): the assistant
 * signs the protocol's typed data in KMS (one signature), the call is
 * simulated through `executeMetaTransaction`, then handed to the relayer
 * (token bucket, timeout). When the relayer is rate-limited, down, slow,
 * answers 429 or refuses, or its transaction does not mine in time, the same
 * signed meta-transaction is submitted by the assistant through
 * `executeMetaTransaction`, paying gas: the protocol's per-user nonce means at
 * most one of the two can execute. The path and the reason are a tool-call
 * record and a metric.
 */
import type { Hex, TypedDataDefinition } from "viem";
import { metricNames } from "../../contract/metrics-catalog";
import { logToolCall, withToolCall } from "../runtime/logger";
import { realSleep } from "./finality";
import {
  buildMetaTransaction,
  executeMetaTransactionData,
  metaTransactionNonce,
  metaTransactionTypedData,
  type SignedMetaTransaction,
} from "./meta-transaction";
import type { PausedRegions } from "./paused-regions";
import { RelayerError, type FallbackReason, type Relayer } from "./relayer";
import { findMetaTransactionExecution, resumeLookbackBlocks } from "./meta-transaction-execution";
import { asProtocolRevert, ProtocolRevertError } from "./revert";
import {
  followToFinality,
  sendCalldata,
  type ProtocolTransaction,
  type SendOptions,
  type SentTransaction,
} from "./transactions";

export type MetaSendOptions = SendOptions & { relayer: Relayer; paused: PausedRegions };

export class MetaTransactionValueError extends Error {
  constructor(functionName: string) {
    super(
      `${functionName} carries a value, and a meta-transaction cannot: use a free or ERC-20 priced offer (smoke.offerPricing) or send it without a relayer`,
    );
    this.name = "MetaTransactionValueError";
  }
}

export async function sendMetaTransaction(
  call: ProtocolTransaction,
  options: MetaSendOptions,
): Promise<SentTransaction> {
  const { clients, diamond, logger, requestId, exchangeId } = options;
  const context = { requestId, ...(exchangeId ? { exchangeId } : {}) };
  if (call.value !== undefined && call.value !== 0n) throw new MetaTransactionValueError(call.functionName);

  const idempotencyKey = options.idempotencyKey ?? `${requestId}:${call.functionName}`;
  const metaTx = buildMetaTransaction({
    from: clients.account.address,
    nonce: metaTransactionNonce(idempotencyKey),
    call,
  });
  const typedData = metaTransactionTypedData({ diamond, chainId: clients.chain.id, metaTx, call });
  const signature = await withToolCall(
    logger,
    { tool: "kms", operation: "signTypedData.metaTransaction", ...context },
    () =>
      // The struct types are chosen per call at run time, so viem cannot narrow them statically.
      clients.walletClient.signTypedData({ account: clients.account, ...(typedData as TypedDataDefinition) }),
  );
  const signed: SignedMetaTransaction = { ...metaTx, signature };
  const data = executeMetaTransactionData(signed);
  const executed = { functionName: call.functionName, data };

  // The head before anything is submitted: where to look for the execution if the assistant's own submission loses the race.
  const [startBlock, refused] = await Promise.all([
    clients.publicClient.getBlockNumber({ cacheTime: 0 }),
    options.unsimulatedGas === undefined
      ? withToolCall(logger, { tool: "rpc", operation: `simulate.meta.${call.functionName}`, ...context }, async () => {
          try {
            await clients.publicClient.call({ account: clients.account.address, to: diamond, data });
          } catch (error) {
            throw asProtocolRevert(call.functionName, error);
          }
        }).then(
          () => undefined,
          (error: unknown) => error,
        )
      : undefined,
  ]);
  if (refused !== undefined) {
    // The nonce comes from the idempotency key: a used one means a run that was stopped already got this write executed.
    const resumed =
      refused instanceof ProtocolRevertError && refused.revert.errorName === "NonceUsedAlready"
        ? await executedElsewhere(
            signed,
            executed,
            refused,
            {
              stage: "resume",
              relayerHashes: [],
              fromBlock: startBlock > resumeLookbackBlocks ? startBlock - resumeLookbackBlocks : 0n,
            },
            options,
          )
        : undefined;
    if (resumed) return resumed;
    throw refused;
  }

  const relayed = await relay(signed, options);
  const relayerHashes: Hex[] = [];
  if ("txHash" in relayed) {
    relayerHashes.push(relayed.txHash);
    const mined = await followRelayed(relayerHashes, options);
    if (mined) {
      const sent = await followToFinality(executed, mined, options);
      options.metrics?.add(metricNames.metaTxRelayed, 1);
      // The relayer paid for it.
      return { ...sent, path: "relayer", gasSpentWei: 0n };
    }
    relayed.reason = "timeout";
    logToolCall(logger, {
      tool: "relayer",
      operation: "executeMetaTransaction",
      ...context,
      txHash: relayed.txHash,
      durationMs: 0,
      outcome: "transient",
      details: { path: "direct", fallbackReason: "timeout", stage: "not mined" },
    });
  }
  options.metrics?.add(metricNames.metaTxFallback, 1);
  try {
    return await sendCalldata(
      executed,
      withoutUnsimulatedGas(options),
      relayed.reason ? { fallbackReason: relayed.reason } : {},
    );
  } catch (error) {
    // The relayer may still have mined the same meta-transaction (late, or after not answering): then the write is done.
    if (!(error instanceof ProtocolRevertError)) throw error;
    const done = await executedElsewhere(
      signed,
      executed,
      error,
      { stage: "fallback", relayerHashes, fromBlock: startBlock > 0n ? startBlock - 1n : 0n },
      options,
    );
    if (!done) throw error;
    return { ...done, ...(relayed.reason ? { fallbackReason: relayed.reason } : {}) };
  }
}

/**
 * The assistant's submission reverted: if the protocol's nonce says the same
 * signed meta-transaction already executed, follow the transaction that
 * executed it to finality and return it, recording both hashes. Undefined
 * when it did not execute (the revert stands).
 */
async function executedElsewhere(
  signed: SignedMetaTransaction,
  executed: { functionName: string; data: Hex },
  revert: ProtocolRevertError,
  search: { stage: "fallback" | "resume"; relayerHashes: readonly Hex[]; fromBlock: bigint },
  options: MetaSendOptions,
): Promise<Omit<SentTransaction, "fallbackReason"> | undefined> {
  const { clients, diamond, logger, requestId, exchangeId } = options;
  const execution = await withToolCall(
    logger,
    { tool: "rpc", operation: "metaTransaction.findExecution", requestId, ...(exchangeId ? { exchangeId } : {}) },
    () =>
      findMetaTransactionExecution(clients, {
        diamond,
        signed,
        relayerHashes: search.relayerHashes,
        fromBlock: search.fromBlock,
      }),
    (found) => ({
      ...(found ? { txHash: found.txHash } : {}),
      details: { nonce: signed.nonce.toString(), found: found?.foundBy ?? "none" },
    }),
  );
  if (!execution) return undefined;
  const sent = await followToFinality(executed, execution.txHash, options);
  const byAssistant = execution.sender.toLowerCase() === clients.account.address.toLowerCase();
  // What the assistant paid: its own submission, mined and reverted on the used nonce, if it got that far.
  const revertedHash = revert.revert.txHash;
  const reverted = revertedHash
    ? await clients.publicClient.getTransactionReceipt({ hash: revertedHash }).catch(() => undefined)
    : undefined;
  const assistantGas = reverted ? reverted.gasUsed * reverted.effectiveGasPrice : 0n;
  logToolCall(logger, {
    tool: "relayer",
    operation: "executeMetaTransaction.alreadyExecuted",
    requestId,
    ...(exchangeId ? { exchangeId } : {}),
    txHash: execution.txHash,
    durationMs: 0,
    outcome: "ok",
    details: {
      path: byAssistant ? "direct" : "relayer",
      stage: search.stage,
      nonce: signed.nonce.toString(),
      executedBy: execution.sender,
      foundBy: execution.foundBy,
      ...(revertedHash ? { revertedHash } : {}),
      directRevert: revert.revert.errorName,
      relayerHashes: search.relayerHashes,
    },
  });
  return {
    ...sent,
    path: byAssistant ? "direct" : "relayer",
    gasSpentWei: (byAssistant ? sent.gasSpentWei : 0n) + (revertedHash !== execution.txHash ? assistantGas : 0n),
  };
}

/** The fallback simulates again: the relayer's gas figure does not bind a direct send. */
function withoutUnsimulatedGas(options: MetaSendOptions): MetaSendOptions {
  const { unsimulatedGas: _unused, ...rest } = options;
  return rest;
}

type RelayOutcome = { txHash: Hex; reason?: FallbackReason } | { reason: FallbackReason };

async function relay(signed: SignedMetaTransaction, options: MetaSendOptions): Promise<RelayOutcome> {
  const { relayer, logger, requestId, exchangeId, clients, diamond } = options;
  const context = { requestId, ...(exchangeId ? { exchangeId } : {}) };
  const started = performance.now();
  const details = { relayer: relayer.api.name, functionName: signed.functionName };
  if (!(await relayer.bucket.take(relayer.config.timeoutMs, options.sleep ?? realSleep))) {
    logToolCall(logger, {
      tool: "relayer",
      operation: "executeMetaTransaction",
      ...context,
      durationMs: 0,
      outcome: "transient",
      details: { ...details, path: "direct", fallbackReason: "rate-limited" },
    });
    return { reason: "rate-limited" };
  }
  try {
    const { txHash } = await relayer.api.relay(
      { diamond, chainId: clients.chain.id, signed },
      AbortSignal.timeout(relayer.config.timeoutMs),
    );
    logToolCall(logger, {
      tool: "relayer",
      operation: "executeMetaTransaction",
      ...context,
      txHash,
      durationMs: Math.round(performance.now() - started),
      outcome: "ok",
      details: { ...details, path: "relayer" },
    });
    return { txHash };
  } catch (error) {
    const reason: FallbackReason = error instanceof RelayerError ? error.reason : "relayer-down";
    logToolCall(logger, {
      tool: "relayer",
      operation: "executeMetaTransaction",
      ...context,
      durationMs: Math.round(performance.now() - started),
      outcome: "transient",
      error: {
        name: error instanceof Error ? error.name : "Error",
        message: error instanceof Error ? error.message : String(error),
      },
      details: { ...details, path: "direct", fallbackReason: reason },
    });
    return { reason };
  }
}

/**
 * Waits (within the relayer timeout times the polls allowed) for a receipt of
 * the relayed transaction or of any hash the relayer resubmitted it as (each
 * added to `hashes`, and a tool-call record). Undefined when none mined in time.
 */
async function followRelayed(hashes: Hex[], options: MetaSendOptions): Promise<Hex | undefined> {
  const { relayer, logger, requestId, exchangeId, clients } = options;
  const context = { requestId, ...(exchangeId ? { exchangeId } : {}) };
  const sleep = options.sleep ?? realSleep;
  const first = hashes[0] as Hex;
  const deadline = Date.now() + (options.relayedMineTimeoutMs ?? 120_000);
  for (;;) {
    for (const hash of hashes) {
      const receipt = await clients.publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
      if (receipt) return hash;
    }
    if (Date.now() >= deadline) return undefined;
    const latest = hashes[hashes.length - 1] as Hex;
    const resubmitted = await relayer.api
      .resubmitted({ chainId: clients.chain.id, txHash: first }, AbortSignal.timeout(relayer.config.timeoutMs))
      .catch(() => undefined);
    if (resubmitted && resubmitted.hash.toLowerCase() !== latest.toLowerCase() && !hashes.includes(resubmitted.hash)) {
      hashes.push(resubmitted.hash);
      logToolCall(logger, {
        tool: "relayer",
        operation: "resubmitted",
        ...context,
        txHash: resubmitted.hash,
        durationMs: 0,
        outcome: "ok",
        details: { previousHash: latest, status: resubmitted.status, hashes: [...hashes] },
      });
    }
    await sleep(options.pollIntervalMs ?? 1_000);
  }
}
