/**
 * Escrow release, the first step of every withdraw run (checklist M1): the
 * protocol releases a redeemed exchange's escrow only when someone completes
 * it, a timed-out dispute's only when someone expires it, an elapsed
 * voucher's only when someone expires it. Anyone may, once due; this step
 * does it for the seller, so the withdrawal that follows finds the funds.
 *
 * It is a step of the withdraw job rather than a job of its own because both
 * sign with the same assistant key: one singleton job (reserved concurrency
 * 1) keeps one nonce sequence and never races itself, and the funds released
 * are withdrawn in the same run. Bounded per run (`maxPerRun` candidates,
 * `batchSize` exchanges per transaction; the protocol sets no per-batch
 * maximum, so block gas is the bound).
 *
 * Every transaction goes through the same path as the withdrawal: paused
 * region check, simulation, KMS signature, finality, under an idempotency key
 * of the exact exchange ids. Each release and each skip is one tool-call
 * record and one metric.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { WriteClients } from "../../shared/chain/clients";
import type { Sleep } from "../../shared/chain/finality";
import type { PausedRegions } from "../../shared/chain/paused-regions";
import { regionOf, pausableRegionName } from "../../shared/chain/protocol";
import type { Relayer } from "../../shared/chain/relayer";
import type { SubgraphClient } from "../../shared/chain/subgraph";
import { sendProtocolTransaction } from "../../shared/chain/transactions";
import { errorSummary, outcomeOfError, type JobStatus } from "../../shared/runtime/outcome";
import { logToolCall, withToolCall } from "../../shared/runtime/logger";
import type { JobMetrics } from "../../shared/runtime/metrics";
import type { IdempotentRunner } from "../../shared/stores/idempotency";
import { metricNames } from "../../contract";
import { releaseCandidates, type ReleaseKind } from "./candidates";
import { decideRelease, readExchangeFacts } from "./due";
import type { Address } from "viem";

export type EscrowReleaseConfig = {
  diamond: Address;
  sellerId: bigint;
  confirmations: number;
  /** Exchanges per completeExchangeBatch / expireDisputeBatch transaction. */
  batchSize: number;
  /** Candidates examined per run, over all kinds. */
  maxPerRun: number;
  /** Release transactions per run: each waits for finality, and the withdrawal still has to fit in the Lambda timeout. */
  maxTransactions?: number;
};

export type EscrowReleaseDeps = {
  config: EscrowReleaseConfig;
  clients: WriteClients;
  subgraph: SubgraphClient;
  logger: Logger;
  metrics: JobMetrics;
  idempotent: IdempotentRunner;
  paused: PausedRegions;
  requestId: string;
  relayer?: Relayer;
  sleep?: Sleep;
  pollIntervalMs?: number;
  finalityTimeoutMs?: number;
};

export type ReleaseSkip = { exchangeId: string; kind: ReleaseKind; reason: string };
export type ReleaseBatch = {
  kind: ReleaseKind;
  exchangeIds: string[];
  status: "released" | "replayed" | "in-progress" | "transient" | "failed";
  txHash?: string;
  error?: Record<string, unknown>;
};

export type EscrowReleaseOutcome = {
  status: JobStatus;
  reason: string;
  released: string[];
  skipped: ReleaseSkip[];
  batches: ReleaseBatch[];
};

const defaultMaxTransactions = 4;
const kinds: readonly ReleaseKind[] = ["complete", "expireDispute", "expireVoucher"];

/** The protocol function each kind calls: the batch form where the protocol has one. */
const functionOf = {
  complete: "completeExchangeBatch",
  expireDispute: "expireDisputeBatch",
  expireVoucher: "expireVoucher",
} as const;

export async function releaseEscrow(deps: EscrowReleaseDeps): Promise<EscrowReleaseOutcome> {
  const { config, clients, logger, metrics, requestId } = deps;
  const outcome: EscrowReleaseOutcome = {
    status: "succeeded",
    reason: "nothing-due",
    released: [],
    skipped: [],
    batches: [],
  };
  const head = await withToolCall(
    logger,
    { tool: "rpc", operation: "getBlock", requestId },
    () => clients.publicClient.getBlock({ blockTag: "latest" }),
    (block) => ({ details: { blockNumber: block.number.toString(), timestamp: block.timestamp.toString() } }),
  );
  const reader = {
    publicClient: clients.publicClient,
    diamond: config.diamond,
    logger,
    disputePeriods: new Map<bigint, bigint>(),
  };
  let budget = config.maxPerRun;

  for (const kind of kinds) {
    if (budget <= 0) break;
    const ids = await releaseCandidates(deps.subgraph, {
      sellerId: config.sellerId.toString(),
      kind,
      nowSeconds: head.timestamp,
      limit: budget,
      requestId,
    });
    budget -= ids.length;
    const region = regionOf[functionOf[kind]];
    if (deps.paused.values.includes(region)) {
      for (const id of ids) skip(kind, id, `region-paused:${pausableRegionName(region)}`);
      continue;
    }
    const due: bigint[] = [];
    for (const id of ids) {
      const decision = decideRelease(
        kind,
        BigInt(id),
        await readExchangeFacts(reader, kind, BigInt(id)),
        head.timestamp,
      );
      if (decision.decision === "due") due.push(decision.exchangeId);
      else skip(kind, id, decision.reason, decision.dueAt);
    }
    const size = kind === "expireVoucher" ? 1 : config.batchSize;
    for (let start = 0; start < due.length; start += size) {
      const batch = due.slice(start, start + size);
      if (outcome.batches.length >= (config.maxTransactions ?? defaultMaxTransactions))
        for (const id of batch) skip(kind, id.toString(), "run-budget");
      else await release(kind, batch);
    }
  }

  const failed = outcome.batches.find((batch) => batch.status === "failed");
  const transient = outcome.batches.find((batch) => batch.status === "transient" || batch.status === "in-progress");
  const paused = outcome.skipped.find((entry) => entry.reason.startsWith("region-paused"));
  if (failed) Object.assign(outcome, { status: "failed", reason: "release-failed" });
  else if (transient)
    Object.assign(outcome, {
      status: "transient",
      reason: transient.status === "in-progress" ? "in-progress" : "release-transient",
    });
  else if (paused) Object.assign(outcome, { status: "transient", reason: "region-paused" });
  else if (outcome.released.length > 0) outcome.reason = "released";
  return outcome;

  function skip(kind: ReleaseKind, exchangeId: string, reason: string, dueAt?: bigint): void {
    outcome.skipped.push({ exchangeId, kind, reason });
    logToolCall(logger, {
      tool: "rpc",
      operation: `escrow.${kind}`,
      exchangeId,
      requestId,
      durationMs: 0,
      outcome: reason.startsWith("region-paused") ? "transient" : "ok",
      details: { decision: "skip", reason, ...(dueAt !== undefined ? { dueAt: dueAt.toString() } : {}) },
    });
    const metric = metrics.powertools.singleMetric();
    metric.addDimension("Reason", reason.split(":")[0] ?? reason);
    metric.addMetric(metricNames.escrowReleaseSkipped, "Count", 1);
  }

  async function release(kind: ReleaseKind, exchangeIds: bigint[]): Promise<void> {
    const ids = exchangeIds.map((id) => id.toString());
    const functionName = functionOf[kind];
    const args = kind === "expireVoucher" ? [exchangeIds[0]] : [exchangeIds];
    const batch: ReleaseBatch = { kind, exchangeIds: ids, status: "failed" };
    const started = performance.now();
    try {
      const result = await deps.idempotent<{ txHash: string; gasSpentWei: string }>(
        `release.${functionName}`,
        { exchangeIds: ids },
        async () => {
          const sent = await sendProtocolTransaction(
            { functionName, args },
            {
              clients,
              diamond: config.diamond,
              logger,
              requestId,
              ...(ids.length === 1 && ids[0] ? { exchangeId: ids[0] } : {}),
              confirmations: config.confirmations,
              paused: deps.paused,
              ...(deps.relayer ? { relayer: deps.relayer } : {}),
              ...(deps.sleep ? { sleep: deps.sleep } : {}),
              ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
              ...(deps.finalityTimeoutMs !== undefined ? { finalityTimeoutMs: deps.finalityTimeoutMs } : {}),
            },
          );
          return { txHash: sent.txHash, gasSpentWei: sent.gasSpentWei.toString() };
        },
      );
      if (result.status === "in-progress") batch.status = "in-progress";
      else {
        batch.status = result.status === "executed" ? "released" : "replayed";
        batch.txHash = result.result.txHash;
        if (result.status === "executed") metrics.add(metricNames.gasSpentWei, Number(result.result.gasSpentWei));
      }
    } catch (error) {
      batch.status = outcomeOfError(error).status === "transient" ? "transient" : "failed";
      batch.error = errorSummary(error);
    }
    outcome.batches.push(batch);
    const released = batch.status === "released" || batch.status === "replayed";
    if (released) outcome.released.push(...ids);
    for (const exchangeId of ids) {
      logToolCall(logger, {
        tool: "rpc",
        operation: `escrow.${kind}`,
        exchangeId,
        requestId,
        ...(batch.txHash ? { txHash: batch.txHash } : {}),
        durationMs: Math.round(performance.now() - started),
        outcome: released ? "ok" : batch.status === "failed" ? "failed" : "transient",
        details: { decision: "release", status: batch.status, batch: ids.length },
        ...(batch.error ? { error: batch.error } : {}),
      });
    }
    if (batch.status === "released") {
      const metric = metrics.powertools.singleMetric();
      metric.addDimension("Action", kind);
      metric.addMetric(metricNames.escrowReleased, "Count", ids.length);
    }
  }
}
