/**
 * The withdraw job (checklist M1): withdrawals are not automatic, so on a
 * schedule this reads the seller's available funds for the configured tokens
 * and withdraws every token at or above its threshold in one
 * `withdrawFunds(sellerId, tokens, amounts)`, signed by the assistant (the
 * KMS account); the protocol pays the seller's treasury.
 *
 * Each run first refuses to sign anything when the seller's treasury, admin
 * or assistant on chain differs from the config (`seller-guard.ts`; during a
 * key rotation's gap, a transient outcome), then releases the escrow that is
 * due (`escrow/release.ts`), and withdraws only what is above the reserve the
 * active offers still need (`reserve.ts`).
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
import { alertField, alertNames, metricNames } from "../contract";
import { readPausedRegions } from "../shared/chain/paused-regions";
import { PausableRegion, protocolAbi } from "../shared/chain/protocol";
import type { Relayer } from "../shared/chain/relayer";
import { withDecodedRevert } from "../shared/chain/revert";
import { sendProtocolTransaction, type SendOptions } from "../shared/chain/transactions";
import type { SubgraphClient } from "../shared/chain/subgraph";
import { releaseEscrow, type EscrowReleaseOutcome } from "./escrow/release";
import { offerNeedsByToken, sellerOfferIds, tokenReserve, type TokenReserve } from "./reserve";
import { isRotationGap, sellerDifferences, type SellerDifference } from "./seller-guard";

export type WithdrawToken = {
  address: Address;
  symbol: string;
  withdrawThresholdWei: bigint;
  reserveMarginWei: bigint;
};

export type WithdrawConfig = {
  diamond: Address;
  sellerId: bigint;
  tokens: readonly WithdrawToken[];
  confirmations: number;
  /** Idempotency window: at most one withdrawal per (seller, tokens) per window. */
  windowSeconds: number;
  /** The seller account the stack expects (the assistant is the signer's address). */
  expectedSeller: { treasury: Address; admin: Address };
  /** During a key rotation: the pending key's address, which the protocol accepts from its opt-in until the jobs switch. */
  rotationAddress?: Address;
  escrow: { batchSize: number; maxPerRun: number };
};

export type WithdrawDeps = {
  config: WithdrawConfig;
  clients: WriteClients;
  logger: Logger;
  metrics: JobMetrics;
  idempotent: IdempotentRunner;
  /** Nominates the exchanges to release and the offers the reserve covers. */
  subgraph: SubgraphClient;
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
  reserves?: TokenReserve[];
  release?: EscrowReleaseOutcome;
  sellerDifferences?: SellerDifference[];
};

type WithdrawRecord = {
  txHash: string;
  blockNumber: string;
  gasSpentWei: string;
  path: string;
  fallbackReason?: string;
  withdrawn: WithdrawnToken[];
};

/** One run: releases the escrow that is due, checks the seller account, then withdraws the excess above the reserve. */
export async function withdraw(deps: WithdrawDeps): Promise<WithdrawOutcome> {
  const { config, clients, logger, metrics, requestId } = deps;
  return run(deps.now ?? Date.now);

  async function run(clock: () => number): Promise<WithdrawOutcome> {
    const paused = await readPausedRegions(clients.publicClient, config.diamond, logger, { requestId });
    const refused = await guardSeller();
    if (refused) return refused;
    const release = await releaseEscrow({
      ...writePath(),
      config: {
        ...config.escrow,
        diamond: config.diamond,
        sellerId: config.sellerId,
        confirmations: config.confirmations,
      },
      subgraph: deps.subgraph,
      paused,
    });
    const withdrawal = await withdrawExcess(clock, paused);
    // The withdrawal's outcome, unless the release went worse: a failed or paused release must not read as a clean run.
    const releaseWorse = release.status !== "succeeded" && withdrawal.status === "succeeded";
    return {
      ...withdrawal,
      release,
      ...(releaseWorse ? { status: release.status, reason: `escrow-${release.reason}` } : {}),
    };
  }

  /** Nothing is signed for a seller account the stack does not expect; undefined when it matches. */
  async function guardSeller(): Promise<WithdrawOutcome | undefined> {
    const differences = await sellerDifferences(
      { publicClient: clients.publicClient, diamond: config.diamond, logger, requestId },
      config.sellerId,
      { ...config.expectedSeller, assistant: clients.account.address },
    );
    if (differences.length === 0) return undefined;
    if (isRotationGap(differences, config.rotationAddress)) {
      logger.warn(
        "key rotation in progress: the protocol's assistant is the pending key, this job still signs with the old one; nothing signed until the deploy that switches the jobs (npm run rotate-signer)",
        { signer: clients.account.address, assistant: config.rotationAddress },
      );
      return { status: "transient", reason: "rotation-gap", withdrawn: [], sellerDifferences: differences };
    }
    metrics.add(metricNames.sellerAccountMismatch, 1);
    logger.error("seller account differs from the stack's configuration: nothing signed, withdrawal refused", {
      [alertField]: alertNames.sellerAccountMismatch,
      severity: "high",
      sellerId: config.sellerId.toString(),
      differences,
    });
    return { status: "failed", reason: "seller-account-mismatch", withdrawn: [], sellerDifferences: differences };
  }

  /** What every write of this run shares: the same signer, idempotency store, relayer and finality settings. */
  function writePath() {
    return {
      clients,
      logger,
      metrics,
      idempotent: deps.idempotent,
      requestId,
      ...(deps.relayer ? { relayer: deps.relayer } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
      ...(deps.finalityTimeoutMs !== undefined ? { finalityTimeoutMs: deps.finalityTimeoutMs } : {}),
    };
  }

  async function withdrawExcess(
    clock: () => number,
    paused: Awaited<ReturnType<typeof readPausedRegions>>,
  ): Promise<WithdrawOutcome> {
    const tokenAddresses = config.tokens.map((token) => token.address);
    const sellerId = config.sellerId.toString();
    const available = await withToolCall(
      logger,
      { tool: "rpc", operation: "getAvailableFunds", requestId },
      () =>
        withDecodedRevert("getAvailableFunds", () =>
          clients.publicClient.readContract({
            address: config.diamond,
            abi: protocolAbi,
            functionName: "getAvailableFunds",
            args: [config.sellerId, tokenAddresses],
          }),
        ),
      (funds) => ({
        details: {
          sellerId,
          funds: funds.map((entry) => ({ token: entry.tokenAddress, availableWei: entry.availableAmount.toString() })),
        },
      }),
    );
    const head = await clients.publicClient.getBlock({ blockTag: "latest" });
    const needs = await offerNeedsByToken(
      { publicClient: clients.publicClient, diamond: config.diamond, logger },
      await sellerOfferIds(deps.subgraph, sellerId, requestId),
      config.sellerId,
      head.timestamp,
    );
    const reserves = config.tokens.map((token) => {
      const amount =
        available.find((entry) => entry.tokenAddress.toLowerCase() === token.address.toLowerCase())?.availableAmount ??
        0n;
      return {
        ...tokenReserve(token, amount, needs.get(token.address.toLowerCase()) ?? 0n),
        threshold: token.withdrawThresholdWei,
      };
    });
    reportReserves(reserves);
    const shownReserves = reserves.map(({ token, symbol, availableWei, reserveWei, excessWei }) => ({
      token,
      symbol,
      availableWei,
      reserveWei,
      excessWei,
    }));
    const due = reserves.flatMap((entry) =>
      entry.excess > 0n && entry.excess >= entry.threshold
        ? [{ address: entry.token, symbol: entry.symbol, amount: entry.excess }]
        : [],
    );
    if (due.length === 0)
      return { status: "succeeded", reason: "below-threshold", withdrawn: [], reserves: shownReserves };

    if (paused.values.includes(PausableRegion.Funds)) {
      return { status: "transient", reason: "region-paused", withdrawn: [], reserves: shownReserves };
    }

    const window = Math.floor(clock() / 1000 / config.windowSeconds);
    const key = { sellerId, tokens: due.map((token) => token.address.toLowerCase()).sort(), window };
    const result = await deps.idempotent<WithdrawRecord>("withdrawFunds", key, async () => {
      const sent = await sendProtocolTransaction(
        {
          functionName: "withdrawFunds",
          args: [config.sellerId, due.map((token) => token.address), due.map((token) => token.amount)],
        },
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
        withdrawn: due.map((token) => ({
          token: token.address,
          symbol: token.symbol,
          amountWei: token.amount.toString(),
        })),
      };
    });

    if (result.status === "in-progress")
      return {
        status: "transient",
        reason: "in-progress",
        withdrawn: [],
        idempotency: "in-progress",
        reserves: shownReserves,
      };
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
      reserves: shownReserves,
    };
  }

  /** Reserve and excess per token for the dashboard; a shortfall pages (commits would revert). */
  function reportReserves(reserves: readonly (TokenReserve & { short: boolean })[]): void {
    for (const entry of reserves) {
      for (const [name, value] of [
        [metricNames.reserveWei, entry.reserveWei],
        [metricNames.withdrawableExcessWei, entry.excessWei],
      ] as const) {
        const single = metrics.powertools.singleMetric();
        single.addDimension("Token", entry.symbol);
        single.addMetric(name, "Count", Number(value));
      }
    }
    const short = reserves.filter((entry) => entry.short);
    metrics.add(metricNames.reserveShortfall, short.length);
    if (short.length > 0) {
      logger.warn("available funds below the reserve the active offers need: buyers' commits will revert", {
        [alertField]: alertNames.reserveShortfall,
        tokens: short.map(({ symbol, availableWei, reserveWei }) => ({ symbol, availableWei, reserveWei })),
      });
    }
  }
}

export const withdrawJob: Job<WithdrawDeps, WithdrawOutcome> = {
  name: "withdraw",
  run: withdraw,
  failed: (outcome) => ({ ...outcome, withdrawn: [] }),
};
