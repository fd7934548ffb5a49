/**
 * The health job (checklist H5, O6, H2, B2): every few minutes,
 * - subgraph lag: chain head minus the subgraph's `_meta` block (alarm over
 *   the configured maximum), and its indexing-error flag;
 * - gas: the signer's balance, and that balance over the expected daily burn
 *   (the alarms fire at 0.5x, 0.2x and 0.1x); during a key rotation, the old
 *   and the pending key's balances together, since the rotation moves the gas
 *   from one to the other;
 * - paused protocol regions;
 * - the seller's business metrics (open exchanges, redemption rate, dispute
 *   rate, time to completion) from the counters the watcher keeps: one read,
 *   whatever the seller's history;
 * - one heartbeat per run, whatever else failed.
 *
 * The chain reads are issued together, so with JSON-RPC batching they are one
 * round trip whatever the number of tokens.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Address } from "viem";
import type { ReadClients } from "../shared/chain/clients";
import { errorSummary, type JobOutcome } from "../shared/runtime/outcome";
import type { Job } from "../shared/runtime/run-job";
import { withToolCall } from "../shared/runtime/logger";
import type { JobMetrics } from "../shared/runtime/metrics";
import { metricNames } from "../contract";
import { pausableRegionName, pauseHandlerAbi, protocolAbi } from "../shared/chain/protocol";
import { withDecodedRevert } from "../shared/chain/revert";
import { subgraphMeta, type SubgraphClient } from "../shared/chain/subgraph";
import {
  emptyCounters,
  metricsFromTally,
  type BusinessMetrics,
  type BusinessTally,
} from "../shared/stores/business-tally";

export type HealthConfig = {
  diamond: Address;
  sellerId: bigint;
  tokens: readonly { address: Address; symbol: string }[];
  /** The KMS signer's address, whose gas balance is watched. */
  signer: Address;
  /** During a key rotation: the pending key's address, which receives the signer's gas. */
  rotationSigner?: Address;
  expectedDailyBurnWei: bigint;
  subgraphMaxLagBlocks: number;
  /** The stack's `gas.alertRatios` (the same source as the gas alarms), e.g. [0.5, 0.2, 0.1]. */
  gasAlertRatios: readonly number[];
};

export type HealthDeps = {
  config: HealthConfig;
  clients: ReadClients;
  subgraph: SubgraphClient;
  /** The watcher's business counters. */
  tally: Pick<BusinessTally, "read">;
  logger: Logger;
  metrics: JobMetrics;
  requestId: string;
};

export type HealthReport = {
  chainHead?: string;
  subgraphBlock?: string;
  subgraphLagBlocks?: number;
  subgraphMaxLagBlocks: number;
  subgraphStale?: boolean;
  subgraphIndexingErrors?: boolean;
  gasBalanceWei?: string;
  /** Balance over the expected daily burn: days of gas left. */
  gasBalanceRatio?: number;
  /** Drain thresholds (0.5x, 0.2x, 0.1x the daily burn) the balance is under. */
  gasAlertRatiosCrossed?: number[];
  pausedRegions?: string[];
  availableFunds?: { token: Address; symbol: string; availableWei: string }[];
  business?: BusinessMetrics;
  /** The chain position (block#logIndex) of the last event in the business counters. */
  businessCountedThrough?: string;
  /** HTTP requests sent to the RPC in this run. */
  rpcRoundTrips: number;
};

export type HealthOutcome = JobOutcome & { report: HealthReport };

/** One run: every check, each failing on its own; the outcome fails when any read failed. */
export async function checkHealth(deps: HealthDeps): Promise<HealthOutcome> {
  const { config, clients, logger, metrics, requestId } = deps;
  const { publicClient } = clients;
  const report: HealthReport = { subgraphMaxLagBlocks: config.subgraphMaxLagBlocks, rpcRoundTrips: 0 };
  const problems: Record<string, unknown> = {};
  const roundTripsBefore = clients.usage.httpRequests;
  metrics.add(metricNames.healthHeartbeat, 1);

  const call = <T>(operation: string, run: () => Promise<T>) =>
    withToolCall(logger, { tool: "rpc", operation, requestId }, run);
  // Issued together: one JSON-RPC batch.
  const [head, balance, paused, funds] = await Promise.allSettled([
    call("eth_blockNumber", () => publicClient.getBlockNumber({ cacheTime: 0 })),
    call("eth_getBalance", async () => {
      const signers = [config.signer, ...(config.rotationSigner ? [config.rotationSigner] : [])];
      const balances = await Promise.all(signers.map((address) => publicClient.getBalance({ address })));
      return balances.reduce((sum, balance) => sum + balance, 0n);
    }),
    call("getPausedRegions", () =>
      withDecodedRevert("getPausedRegions", () =>
        publicClient.readContract({ address: config.diamond, abi: pauseHandlerAbi, functionName: "getPausedRegions" }),
      ),
    ),
    call("getAvailableFunds", () =>
      withDecodedRevert("getAvailableFunds", () =>
        publicClient.readContract({
          address: config.diamond,
          abi: protocolAbi,
          functionName: "getAvailableFunds",
          args: [config.sellerId, config.tokens.map((token) => token.address)],
        }),
      ),
    ),
  ]);
  const [meta, tally] = await Promise.allSettled([
    subgraphMeta(deps.subgraph, { requestId }),
    withToolCall(logger, { tool: "dynamodb", operation: "readBusinessTally", requestId }, () => deps.tally.read()),
  ]);
  report.rpcRoundTrips = clients.usage.httpRequests - roundTripsBefore;

  if (head.status === "fulfilled") report.chainHead = head.value.toString();
  else problems.chainHead = errorSummary(head.reason);

  if (meta.status === "fulfilled") {
    report.subgraphBlock = meta.value.blockNumber.toString();
    report.subgraphIndexingErrors = meta.value.hasIndexingErrors;
    metrics.add(metricNames.subgraphIndexingErrors, meta.value.hasIndexingErrors ? 1 : 0);
    if (head.status === "fulfilled") {
      const lag = head.value > meta.value.blockNumber ? Number(head.value - meta.value.blockNumber) : 0;
      report.subgraphLagBlocks = lag;
      report.subgraphStale = lag > config.subgraphMaxLagBlocks;
      metrics.add(metricNames.subgraphLagBlocks, lag);
      if (report.subgraphStale)
        logger.warn("subgraph is stale", { subgraphLagBlocks: lag, subgraphMaxLagBlocks: config.subgraphMaxLagBlocks });
    }
  } else {
    problems.subgraph = errorSummary(meta.reason);
  }

  if (balance.status === "fulfilled") {
    const ratio =
      config.expectedDailyBurnWei > 0n
        ? Number((balance.value * 1_000_000n) / config.expectedDailyBurnWei) / 1_000_000
        : Number.POSITIVE_INFINITY;
    report.gasBalanceWei = balance.value.toString();
    report.gasBalanceRatio = ratio;
    report.gasAlertRatiosCrossed = config.gasAlertRatios.filter((threshold) => ratio < threshold);
    metrics.add(metricNames.gasBalanceWei, Number(balance.value));
    if (Number.isFinite(ratio)) metrics.add(metricNames.gasBalanceRatio, ratio);
    if (report.gasAlertRatiosCrossed.length > 0)
      logger.warn("signer gas balance is low", { gasBalanceRatio: ratio, crossed: report.gasAlertRatiosCrossed });
  } else {
    problems.gasBalance = errorSummary(balance.reason);
  }

  if (paused.status === "fulfilled") {
    report.pausedRegions = paused.value.map(pausableRegionName);
    metrics.add(metricNames.pausedRegions, paused.value.length);
    if (paused.value.length > 0) logger.warn("protocol regions are paused", { pausedRegions: report.pausedRegions });
  } else {
    problems.pausedRegions = errorSummary(paused.reason);
  }

  if (funds.status === "fulfilled") {
    report.availableFunds = config.tokens.map((token, index) => ({
      token: token.address,
      symbol: token.symbol,
      availableWei: (funds.value[index]?.availableAmount ?? 0n).toString(),
    }));
  } else {
    problems.availableFunds = errorSummary(funds.reason);
  }

  if (tally.status === "fulfilled") {
    // No counters yet: the watcher has not seen an exchange of the seller's.
    const business = metricsFromTally(tally.value?.counters ?? emptyCounters());
    report.business = business;
    if (tally.value?.appliedThrough !== undefined) report.businessCountedThrough = tally.value.appliedThrough;
    metrics.add(metricNames.openExchanges, business.openExchanges);
    if (business.redemptionRate !== undefined) metrics.add(metricNames.redemptionRate, business.redemptionRate);
    if (business.disputeRate !== undefined) metrics.add(metricNames.disputeRate, business.disputeRate);
    if (business.meanTimeToCompletionSeconds !== undefined)
      metrics.add(metricNames.timeToCompletionSeconds, business.meanTimeToCompletionSeconds, "Seconds");
  } else {
    problems.business = errorSummary(tally.reason);
  }

  logger.info("health report", { report });
  const failed = Object.keys(problems).length > 0;
  return {
    status: failed ? "failed" : "succeeded",
    ...(failed ? { reason: "reads-failed", error: problems } : {}),
    report,
  };
}

export const healthJob: Job<HealthDeps, HealthOutcome> = {
  name: "health",
  run: checkHealth,
  failed: (outcome, deps) => ({
    ...outcome,
    report: { subgraphMaxLagBlocks: deps.config.subgraphMaxLagBlocks, rpcRoundTrips: deps.clients.usage.httpRequests },
  }),
};
