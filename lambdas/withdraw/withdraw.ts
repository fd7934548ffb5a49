/**
 * The withdraw job (checklist M1): withdrawals are not automatic, so on a
 * schedule this reads the seller's available funds for the configured tokens
 * and withdraws every token at or above its threshold in one
 * `withdrawFunds(sellerId, tokens, amounts)`, signed by the assistant (the
 * KMS account); the protocol pays the seller's treasury.
 *
 * Paused Funds region (H2): no transaction, transient outcome. Idempotent
 * (O1) on (sellerId, tokens, window): concurrent runs send one transaction.
 * Final only after the confirmations and the reorg check (O3). Reverts are
 * decoded (C2). Emits the amounts withdrawn and the gas spent.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Address } from "viem";
import type { WriteClients } from "../shared/chain/clients";
import type { Sleep } from "../shared/chain/finality";
import type { IdempotentRunner } from "../shared/stores/idempotency";
import type { JobOutcome } from "../shared/runtime/outcome";
import type { Job } from "../shared/runtime/run-job";
import { withToolCall } from "../shared/runtime/logger";
import type { JobMetrics } from "../shared/runtime/metrics";
import { metricNames } from "../contract";
import { readPausedRegions } from "../shared/chain/paused-regions";
import { PausableRegion, protocolAbi } from "../shared/chain/protocol";
import type { Relayer } from "../shared/chain/relayer";
import { withDecodedRevert } from "../shared/chain/revert";
import { sendProtocolTransaction, type SendOptions } from "../shared/chain/transactions";

export type WithdrawToken = { address: Address; symbol: string; withdrawThresholdWei: bigint };

export type WithdrawConfig = {
  diamond: Address;
  sellerId: bigint;
  tokens: readonly WithdrawToken[];
  confirmations: number;
  /** Idempotency window: at most one withdrawal per (seller, tokens) per window. */
  windowSeconds: number;
};

export type WithdrawDeps = {
  config: WithdrawConfig;
  clients: WriteClients;
  logger: Logger;
  metrics: JobMetrics;
  idempotent: IdempotentRunner;
  relayer?: Relayer;
  /** The transaction lifecycle (the handler always gives it; tests may leave it out). */
  lifecycle?: SendOptions["lifecycle"];
  /** The run's request id (the Lambda request id in production). */
  requestId: string;
  now?: () => number;
  sleep?: Sleep;
  pollIntervalMs?: number;
  finalityTimeoutMs?: number;
};

export type WithdrawnToken = { token: Address; symbol: string; amountWei: string };

export type WithdrawOutcome = JobOutcome & {
  withdrawn: WithdrawnToken[];
  txHash?: string;
  blockNumber?: string;
  gasSpentWei?: string;
  path?: string;
  fallbackReason?: string;
  idempotency?: "executed" | "replayed" | "in-progress";
};

type WithdrawRecord = {
  txHash: string;
  blockNumber: string;
  gasSpentWei: string;
  path: string;
  fallbackReason?: string;
  withdrawn: WithdrawnToken[];
};

/** One run: withdraws every token at or above its threshold, or says why not. */
export async function withdraw(deps: WithdrawDeps): Promise<WithdrawOutcome> {
  const { config, clients, logger, metrics, requestId } = deps;
  const clock = deps.now ?? Date.now;
  const tokenAddresses = config.tokens.map((token) => token.address);
  const sellerId = config.sellerId.toString();
  const available = await withToolCall(
    logger,
    { tool: "rpc", operation: "getAvailableFunds", requestId },
    () => withDecodedRevert("getAvailableFunds", () => clients.publicClient.readContract({ address: config.diamond, abi: protocolAbi, functionName: "getAvailableFunds", args: [config.sellerId, tokenAddresses] })),
    (funds) => ({ details: { sellerId, funds: funds.map((entry) => ({ token: entry.tokenAddress, availableWei: entry.availableAmount.toString() })) } }),
  );
  const due = config.tokens.flatMap((token) => {
    const amount = available.find((entry) => entry.tokenAddress.toLowerCase() === token.address.toLowerCase())?.availableAmount ?? 0n;
    return amount > 0n && amount >= token.withdrawThresholdWei ? [{ ...token, amount }] : [];
  });
  if (due.length === 0) return { status: "succeeded", reason: "below-threshold", withdrawn: [] };

  const paused = await readPausedRegions(clients.publicClient, config.diamond, logger, { requestId });
  if (paused.values.includes(PausableRegion.Funds)) {
    return { status: "transient", reason: "region-paused", withdrawn: [] };
  }

  const window = Math.floor(clock() / 1000 / config.windowSeconds);
  const key = { sellerId, tokens: due.map((token) => token.address.toLowerCase()).sort(), window };
  const result = await deps.idempotent<WithdrawRecord>("withdrawFunds", key, async () => {
    const sent = await sendProtocolTransaction(
      { functionName: "withdrawFunds", args: [config.sellerId, due.map((token) => token.address), due.map((token) => token.amount)] },
      {
        clients,
        diamond: config.diamond,
        logger,
        requestId,
        confirmations: config.confirmations,
        paused,
        idempotencyKey: `withdrawFunds:${JSON.stringify(key)}`,
        metrics,
        ...(deps.relayer ? { relayer: deps.relayer } : {}),
        ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
        ...(deps.finalityTimeoutMs !== undefined ? { finalityTimeoutMs: deps.finalityTimeoutMs } : {}),
      },
    );
    return {
      txHash: sent.txHash,
      blockNumber: sent.receipt.blockNumber.toString(),
      gasSpentWei: sent.gasSpentWei.toString(),
      path: sent.path,
      ...(sent.fallbackReason ? { fallbackReason: sent.fallbackReason } : {}),
      withdrawn: due.map((token) => ({ token: token.address, symbol: token.symbol, amountWei: token.amount.toString() })),
    };
  });

  if (result.status === "in-progress") return { status: "transient", reason: "in-progress", withdrawn: [], idempotency: "in-progress" };
  const record = result.result;
  if (result.status === "executed") {
    for (const token of record.withdrawn) {
      const single = metrics.powertools.singleMetric();
      single.addDimension("Token", token.symbol);
      single.addMetric(metricNames.withdrawnAmountWei, "Count", Number(token.amountWei));
    }
    metrics.add(metricNames.gasSpentWei, Number(record.gasSpentWei));
  }
  return {
    status: "succeeded",
    reason: result.status === "executed" ? "withdrawn" : "already-withdrawn",
    idempotency: result.status,
    ...record,
  };
}

export const withdrawJob: Job<WithdrawDeps, WithdrawOutcome> = {
  name: "withdraw",
  run: withdraw,
  failed: (outcome) => ({ ...outcome, withdrawn: [] }),
};
