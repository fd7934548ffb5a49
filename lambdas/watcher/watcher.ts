import type { Logger } from "@aws-lambda-powertools/logger";
import type { Address, Block, Log, PublicClient } from "viem";
import { alertField, alertNames, metricNames } from "../contract";
import { logToolCall, withToolCall } from "../shared/runtime/logger";
import type { JobMetrics } from "../shared/runtime/metrics";
import { CheckpointConflictError, type CheckpointStore } from "../shared/stores/checkpoints";
import type { BusinessTally } from "../shared/stores/business-tally";
import type { EventStore } from "../shared/stores/events";
import type { WebhookSender } from "../shared/webhooks/delivery";
import { createExchangeDirectory, type ExchangeOwner } from "./exchange-directory";
import { addTallies, createEventProcessor, emptyTally, type EventProcessor, type EventTally } from "./event-processing";
import { decodeWatchedLog, watchedEventsAbi } from "./events";
import { createExposureTracker, type ExposureTracker } from "./exposure-tracker";
import type { SellerRecords } from "./seller-records";
import type { AlertLedger } from "../shared/stores/alert-ledger";
import { pageDisputeDeadlines } from "./dispute-deadlines";
import type { ExpectedSellerAccount } from "./seller-account";

/**
 * The watcher (checklist H3, B3, O3, O5, S5, M4) as a plain function over its
 * dependencies. Each run reads the diamond's logs from the block after its
 * checkpoint up to head - confirmations (never a non-final block), in bounded
 * ranges, one `eth_getLogs` per range filtered on the diamond and on every
 * watched topic at once. For each range it processes the events
 * (`event-processing.ts`), updates the exposure of the exchanges they touched
 * (`exposure-tracker.ts`), and only then moves the checkpoint. Everything a
 * range does is safe to redo: a failed run leaves the checkpoint where it was
 * and the next run repeats the range.
 */

export type WatcherConfig = {
  diamond: Address;
  sellerId: bigint;
  /** Blocks below the head before a log counts as final (O3). */
  confirmations: number;
  /** First block to read when there is no checkpoint yet; without it the watcher starts at the current final block. */
  startBlock?: bigint;
  /** Blocks per eth_getLogs call. */
  maxBlockRange: bigint;
  /** Ranges per run, so a long catch-up spreads over runs instead of outliving the Lambda timeout. */
  maxRangesPerRun: number;
  /** The kit's own signing addresses: gas of their transactions counts in the exposure. */
  kitAddresses: readonly Address[];
  priceFeed?: { address: Address; currency: string };
  /** The checkpoint's key; defaults to `watcher#<diamond>#<sellerId>`. */
  checkpointName?: string;
  /** The smoke job's known test offer: its exchanges are stored tagged, never sent, alerted on or counted. */
  smokeOfferId?: string;
  /** The seller account the stack expects: any other change to it pages (M3). */
  expectedSeller?: ExpectedSellerAccount;
  /** Hours before each dispute deadline at which to page (B3). */
  disputeAlertLeadHours?: readonly number[];
};

export type WatcherDeps = {
  /** Any viem public client: the job passes its fallback-transport client, a benchmark a counting one. */
  client: PublicClient;
  events: EventStore;
  checkpoints: CheckpointStore;
  records: SellerRecords;
  /** Absent when no fulfillment endpoint is configured: events are stored, nothing is sent. */
  webhooks?: WebhookSender;
  /** The business counters the health job reads (B2); absent: not kept. */
  tally?: BusinessTally;
  metrics: Pick<JobMetrics, "add">;
  logger: Logger;
  config: WatcherConfig;
  now?: () => Date;
  /** Milliseconds left before the Lambda times out (context.getRemainingTimeInMillis); no new range starts below `minRemainingMs`. */
  remainingMs?: () => number;
  /** Default 15 s: enough to finish a range's webhooks and exposure after its getLogs. */
  minRemainingMs?: number;
  /** How long a run holds a pending webhook before another run may send it; default 2 minutes (over the Lambda timeout). */
  deliveryLeaseMs?: number;
  /** Page-once memory for dispute deadlines; without it deadlines are not checked. */
  alerts?: AlertLedger;
};

/** The run's event counts (`EventTally`: stored, delivered, dead-lettered, alerts raised), with what it read. */
export type WatcherRunResult = EventTally & {
  head: bigint;
  finalBlock: bigint;
  /** Blocks read this run (undefined when there was nothing final to read). */
  fromBlock?: bigint;
  toBlock?: bigint;
  ranges: number;
  logs: number;
  /** Exchange ids whose dispute has been open for more than a day of chain time. */
  disputesOpenOverOneDay: string[];
  /** Exchange ids whose dispute deadline paged this run. */
  disputeDeadlinesPaged: string[];
  /** True when the checkpoint reached the final block. */
  caughtUp: boolean;
  /** True when an overlapping run moved the checkpoint first: this run stopped, the other one carries on. */
  overtaken: boolean;
};

const oneDaySeconds = 86_400;

export function defaultCheckpointName(config: Pick<WatcherConfig, "diamond" | "sellerId">): string {
  return `watcher#${config.diamond.toLowerCase()}#${config.sellerId.toString()}`;
}

/**
 * The block the checkpoint was taken at should still be canonical. If it is not, a reorg deeper than
 * the confirmations replaced blocks this watcher already acted on: nothing can unsend those webhooks,
 * so it raises DeepReorgSeen for a human (and the confirmations are too low for this chain).
 */
export async function checkCanonical(
  deps: Pick<WatcherDeps, "client" | "logger" | "metrics" | "config">,
  blockNumber: bigint,
  expectedHash: string,
): Promise<boolean> {
  const block = await withToolCall(
    deps.logger,
    { tool: "rpc", operation: "getBlock", details: { blockNumber: blockNumber.toString() } },
    () => deps.client.getBlock({ blockNumber }),
  );
  if (block.hash === null || block.hash.toLowerCase() === expectedHash.toLowerCase()) return true;
  deps.metrics.add(metricNames.deepReorgSeen, 1);
  deps.logger.error("reorg deeper than the confirmations: the checkpoint's block was replaced", {
    [alertField]: alertNames.deepReorg,
    blockNumber: blockNumber.toString(),
    checkpointHash: expectedHash,
    canonicalHash: block.hash,
    confirmations: deps.config.confirmations,
  });
  return false;
}

type RangeTools = { process: EventProcessor; exposure: Pick<ExposureTracker, "update"> };

/** One range: its logs in chain order, each event processed, then the touched exchanges' exposure. */
export async function watchRange(
  deps: Pick<WatcherDeps, "client" | "logger" | "config">,
  tools: RangeTools,
  fromBlock: bigint,
  toBlock: bigint,
): Promise<{ logs: number; tally: EventTally }> {
  const { client, config, logger } = deps;
  const logs = await withToolCall(
    logger,
    { tool: "rpc", operation: "getLogs", details: { fromBlock: fromBlock.toString(), toBlock: toBlock.toString() } },
    () => client.getLogs({ address: config.diamond, events: watchedEventsAbi, fromBlock, toBlock, strict: false }),
    (found) => ({ details: { fromBlock: fromBlock.toString(), toBlock: toBlock.toString(), logs: found.length } }),
  );
  const ordered = [...logs].sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  ) as unknown as Log<bigint, number, false>[];
  const touched = new Map<string, ExchangeOwner>();
  let tally = emptyTally();
  for (const log of ordered) {
    const event = decodeWatchedLog(log);
    if (event === undefined) {
      logToolCall(logger, {
        tool: "rpc",
        operation: "decodeLog",
        txHash: log.transactionHash,
        durationMs: 0,
        outcome: "failed",
        error: "a log with a watched topic did not decode against the pinned ABI",
        details: { logIndex: log.logIndex, topic0: log.topics[0] },
      });
      continue;
    }
    const processed = await tools.process(event);
    tally = addTallies(tally, processed.tally);
    if (processed.owner !== undefined) touched.set(processed.owner.exchangeId.toString(), processed.owner);
  }
  for (const owner of touched.values()) await tools.exposure.update(owner);
  return { logs: ordered.length, tally };
}

/** The seller's disputes open for more than a day of chain time (B3), by exchange id. */
export async function disputesOpenOverOneDay(
  deps: Pick<WatcherDeps, "records" | "logger" | "metrics" | "config">,
  head: Pick<Block, "timestamp">,
): Promise<string[]> {
  const open = await deps.records.openDisputes(deps.config.sellerId);
  const headTime = Number(head.timestamp);
  const late = Object.entries(open)
    .filter(([, raisedAt]) => headTime - raisedAt > oneDaySeconds)
    .map(([exchangeId]) => exchangeId)
    .sort((a, b) => Number(a) - Number(b));
  deps.metrics.add(metricNames.disputesOpenOverOneDay, late.length);
  if (late.length > 0)
    deps.logger.warn("disputes open for more than a day", {
      [alertField]: alertNames.disputeOpenOverOneDay,
      exchangeIds: late,
    });
  return late;
}

export async function runWatcher(deps: WatcherDeps): Promise<WatcherRunResult> {
  const { client, config } = deps;
  const now = deps.now ?? (() => new Date());
  const checkpointName = config.checkpointName ?? defaultCheckpointName(config);

  const head = await withToolCall(
    deps.logger,
    { tool: "rpc", operation: "getBlock" },
    () => client.getBlock({ blockTag: "latest" }),
    (block) => ({
      details: { blockNumber: block.number.toString() },
    }),
  );
  const finalBlock = head.number - BigInt(config.confirmations);
  const nothingRead = {
    head: head.number,
    finalBlock,
    ranges: 0,
    logs: 0,
    ...emptyTally(),
    disputesOpenOverOneDay: [],
    disputeDeadlinesPaged: [],
    overtaken: false,
  };
  if (finalBlock < 0n) return { ...nothingRead, caughtUp: false };

  const checkpoint = await withToolCall(deps.logger, { tool: "dynamodb", operation: "readCheckpoint" }, () =>
    deps.checkpoints.read(checkpointName),
  );
  if (checkpoint?.blockHash !== undefined) await checkCanonical(deps, checkpoint.lastBlock, checkpoint.blockHash);
  let last: bigint;
  if (checkpoint !== undefined) last = checkpoint.lastBlock;
  else if (config.startBlock !== undefined) last = config.startBlock - 1n;
  else {
    // No history to catch up on: start watching from the current final block.
    await deps.checkpoints.advance(checkpointName, undefined, finalBlock);
    return { ...nothingRead, caughtUp: true };
  }
  let expected = checkpoint?.lastBlock;

  const directory = createExchangeDirectory({
    client,
    records: deps.records,
    logger: deps.logger,
    diamond: config.diamond,
    sellerId: config.sellerId,
  });
  const exposure = createExposureTracker({
    client,
    records: deps.records,
    logger: deps.logger,
    metrics: deps.metrics,
    kitAddresses: config.kitAddresses,
    ...(config.priceFeed !== undefined ? { priceFeed: config.priceFeed } : {}),
    now,
  });
  const process = createEventProcessor({
    client,
    events: deps.events,
    records: deps.records,
    ...(deps.webhooks !== undefined ? { webhooks: deps.webhooks } : {}),
    directory,
    exposure,
    logger: deps.logger,
    metrics: deps.metrics,
    sellerId: config.sellerId,
    ...(config.expectedSeller !== undefined ? { expectedSeller: config.expectedSeller } : {}),
    now,
    ...(deps.tally !== undefined ? { tally: deps.tally } : {}),
    ...(config.smokeOfferId !== undefined ? { smokeOfferId: config.smokeOfferId } : {}),
    ...(deps.deliveryLeaseMs !== undefined ? { deliveryLeaseMs: deps.deliveryLeaseMs } : {}),
  });

  const minRemainingMs = deps.minRemainingMs ?? 15_000;
  let ranges = 0;
  let logs = 0;
  let tally = emptyTally();
  let fromBlock: bigint | undefined;
  let overtaken = false;
  while (last < finalBlock && ranges < config.maxRangesPerRun) {
    if (deps.remainingMs !== undefined && deps.remainingMs() < minRemainingMs) {
      deps.logger.warn("stopping before the Lambda timeout; the next run continues from the checkpoint", {
        lastBlock: last.toString(),
      });
      break;
    }
    const from = last + 1n;
    const to = from + config.maxBlockRange - 1n < finalBlock ? from + config.maxBlockRange - 1n : finalBlock;
    const range = await watchRange(deps, { process, exposure }, from, to);
    logs += range.logs;
    tally = addTallies(tally, range.tally);
    // The run's last checkpoint carries its block hash, which the next run checks (one getBlock per run).
    const lastOfRun = to === finalBlock || ranges + 1 >= config.maxRangesPerRun;
    const toHash = lastOfRun ? ((await client.getBlock({ blockNumber: to })).hash ?? undefined) : undefined;
    const advanced = await withToolCall(
      deps.logger,
      { tool: "dynamodb", operation: "advanceCheckpoint", details: { toBlock: to.toString() } },
      () => advanceUnlessOvertaken(deps.checkpoints, checkpointName, expected, to, toHash),
    );
    if (!advanced) {
      overtaken = true;
      deps.logger.warn("an overlapping run moved the checkpoint first; this run stops and leaves the rest to it", {
        toBlock: to.toString(),
      });
      break;
    }
    fromBlock ??= from;
    ranges++;
    expected = to;
    last = to;
  }
  return {
    head: head.number,
    finalBlock,
    ...(fromBlock !== undefined ? { fromBlock, toBlock: last } : {}),
    ranges,
    logs,
    ...tally,
    disputesOpenOverOneDay: await disputesOpenOverOneDay(deps, head),
    disputeDeadlinesPaged: await pageDisputeDeadlines(deps, head),
    caughtUp: !overtaken && last >= finalBlock,
    overtaken,
  };
}

/** Moves the checkpoint; false when another run moved it first (a lost race is not a failure). */
async function advanceUnlessOvertaken(
  store: CheckpointStore,
  name: string,
  expected: bigint | undefined,
  to: bigint,
  hash: string | undefined,
): Promise<boolean> {
  try {
    await store.advance(name, expected, to, hash);
    return true;
  } catch (error) {
    if (error instanceof CheckpointConflictError) return false;
    throw error;
  }
}
