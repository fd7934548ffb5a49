import type { Logger } from "@aws-lambda-powertools/logger";
import { getAddress, type Address, type Hex, type Log, type PublicClient } from "viem";
import type { CheckpointStore } from "../shared/stores/checkpoints";
import { chainEventId, type ChainEventRecord, type EventStore } from "../shared/stores/events";
import { computeExposure } from "./exposure";
import { logToolCall, withToolCall } from "../shared/runtime/logger";
import { metricNames } from "../contract/metrics-catalog";
import type { JobMetrics } from "../shared/runtime/metrics";
import { readPrice, type PriceQuote } from "../shared/chain/price-feed";
import type { WebhookSender } from "../shared/webhooks/delivery";
import {
  addressArg,
  decodeWatchedLog,
  disputeClosingEvents,
  disputeEvents,
  exchangeEvents,
  feeEvents,
  sellerAccountEvents,
  getExchangeAbi,
  getOfferAbi,
  optionalUintArg,
  toJson,
  uintArg,
  upgradeEvents,
  watchedEventsAbi,
  type DecodedEvent,
} from "./events";
import { offerKey, type OfferRecord, type SellerRecords } from "./seller-records";
import { webhookMessage } from "./webhook-message";
import { unexpectedSellerChanges, type ExpectedSellerAccount } from "./seller-account";
import { checkDisputeDeadlines } from "./dispute-deadlines";
import type { AlertLedger } from "../shared/stores/alert-ledger";

/**
 * The watcher (checklist H3, B3, O3, O5, S5, M4) as a plain function over its
 * dependencies. Each run reads the diamond's logs from the block after its
 * checkpoint up to head - confirmations (never a non-final block), in bounded
 * ranges, one `eth_getLogs` per range filtered on the diamond and on every
 * watched topic at once. For each range it stores the seller's events once
 * (`txHash#logIndex`), sends the exchange and dispute events to the
 * fulfillment endpoints, keeps the exposure per exchange, and only then moves
 * the checkpoint. Everything a range does is safe to redo: a failed run
 * leaves the checkpoint where it was and the next run repeats the range.
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
  metrics: Pick<JobMetrics, "add">;
  logger: Logger;
  config: WatcherConfig;
  now?: () => Date;
  /** Milliseconds left before the Lambda times out (context.getRemainingTimeInMillis); no new range starts below `minRemainingMs`. */
  remainingMs?: () => number;
  /** Default 15 s: enough to finish a range's webhooks and exposure after its getLogs. */
  minRemainingMs?: number;
  /** Page-once memory for dispute deadlines; without it deadlines are not checked. */
  alerts?: AlertLedger;
};

export type WatcherRunResult = {
  head: bigint;
  finalBlock: bigint;
  /** Blocks read this run (undefined when there was nothing final to read). */
  fromBlock?: bigint;
  toBlock?: bigint;
  ranges: number;
  logs: number;
  stored: number;
  duplicates: number;
  delivered: number;
  deadLettered: number;
  upgrades: number;
  disputesRaised: number;
  /** Exchange ids whose dispute has been open for more than a day of chain time. */
  disputesOpenOverOneDay: string[];
  /** Seller-account events this run that the stack did not expect. */
  sellerAccountChanges: number;
  /** Dispute deadlines paged this run (exchange ids). */
  disputeDeadlinesPaged: string[];
  /** True when the checkpoint reached the final block. */
  caughtUp: boolean;
};

const oneDaySeconds = 86_400;
const upgradeNames: ReadonlySet<string> = new Set(upgradeEvents);
const exchangeNames: ReadonlySet<string> = new Set(exchangeEvents);
const disputeNames: ReadonlySet<string> = new Set(disputeEvents);
const feeNames: ReadonlySet<string> = new Set(feeEvents);
const sellerAccountNames: ReadonlySet<string> = new Set(sellerAccountEvents);

type ExchangeOwner = { exchangeId: bigint; offer: OfferRecord };

export function defaultCheckpointName(config: Pick<WatcherConfig, "diamond" | "sellerId">): string {
  return `watcher#${config.diamond.toLowerCase()}#${config.sellerId.toString()}`;
}

export async function runWatcher(deps: WatcherDeps): Promise<WatcherRunResult> {
  const { client, config, logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const checkpointName = config.checkpointName ?? defaultCheckpointName(config);
  const kit = new Set(config.kitAddresses.map((address) => address.toLowerCase()));
  const sellerId = config.sellerId;

  // Per-run caches: each fact is fetched at most once a run.
  const offers = new Map<string, OfferRecord | null>();
  const exchanges = new Map<string, ExchangeOwner | null>();
  const blockTimes = new Map<bigint, number>();
  const receipts = new Map<Hex, Promise<{ from: string; gasWei: bigint }>>();
  let quote: Promise<PriceQuote | undefined> | undefined;

  const head = await withToolCall(logger, { tool: "rpc", operation: "getBlock" }, () => client.getBlock({ blockTag: "latest" }), (block) => ({
    details: { blockNumber: block.number.toString() },
  }));
  const finalBlock = head.number - BigInt(config.confirmations);
  const result: WatcherRunResult = {
    head: head.number,
    finalBlock,
    ranges: 0,
    logs: 0,
    stored: 0,
    duplicates: 0,
    delivered: 0,
    deadLettered: 0,
    upgrades: 0,
    disputesRaised: 0,
    disputesOpenOverOneDay: [],
    sellerAccountChanges: 0,
    disputeDeadlinesPaged: [],
    caughtUp: false,
  };
  if (finalBlock < 0n) return result;

  const checkpoint = await withToolCall(logger, { tool: "dynamodb", operation: "readCheckpoint" }, () => deps.checkpoints.read(checkpointName));
  if (checkpoint?.blockHash !== undefined) await checkCanonical(checkpoint.lastBlock, checkpoint.blockHash);
  let expected = checkpoint?.lastBlock;
  let last: bigint;
  if (checkpoint !== undefined) last = checkpoint.lastBlock;
  else if (config.startBlock !== undefined) last = config.startBlock - 1n;
  else {
    // No history to catch up on: start watching from the current final block.
    await deps.checkpoints.advance(checkpointName, undefined, finalBlock);
    result.caughtUp = true;
    return result;
  }

  /**
   * The block the checkpoint was taken at should still be canonical. If it is not, a reorg deeper than
   * the confirmations replaced blocks this watcher already acted on: nothing can unsend those webhooks,
   * so it raises DeepReorgSeen for a human (and the confirmations are too low for this chain).
   */
  async function checkCanonical(blockNumber: bigint, expectedHash: string): Promise<void> {
    const block = await withToolCall(logger, { tool: "rpc", operation: "getBlock", details: { blockNumber: blockNumber.toString() } }, () =>
      client.getBlock({ blockNumber }),
    );
    if (block.hash === null || block.hash.toLowerCase() === expectedHash.toLowerCase()) return;
    metrics.add(metricNames.deepReorgSeen, 1);
    logger.error("reorg deeper than the confirmations: the checkpoint's block was replaced", {
      alert: "deep-reorg",
      blockNumber: blockNumber.toString(),
      checkpointHash: expectedHash,
      canonicalHash: block.hash,
      confirmations: config.confirmations,
    });
  }

  // ---- facts about offers and exchanges -------------------------------------------------------

  async function resolveOffer(offerId: bigint): Promise<OfferRecord | undefined> {
    const key = offerId.toString();
    const cached = offers.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let offer = await deps.records.getOffer(offerId);
    if (offer === undefined) {
      const read = await withToolCall(logger, { tool: "rpc", operation: "getOffer", details: { offerId: key } }, () =>
        client.readContract({ address: config.diamond, abi: getOfferAbi, functionName: "getOffer", args: [offerId] }),
      );
      offer = offerFromGetOffer(offerId, read);
      if (offer !== undefined) await deps.records.putOffer(offer);
    }
    offers.set(key, offer ?? null);
    return offer;
  }

  async function resolveExchange(exchangeId: bigint): Promise<ExchangeOwner | undefined> {
    const key = exchangeId.toString();
    const cached = exchanges.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let owner: ExchangeOwner | undefined;
    const stored = await deps.records.getExchange(exchangeId);
    if (stored !== undefined) {
      const offer = await resolveOffer(BigInt(stored.offerId));
      if (offer !== undefined) owner = { exchangeId, offer };
    } else {
      const read = await withToolCall(logger, { tool: "rpc", operation: "getExchange", exchangeId: key }, () =>
        client.readContract({ address: config.diamond, abi: getExchangeAbi, functionName: "getExchange", args: [exchangeId] }),
      );
      const offerId = offerIdFromGetExchange(read);
      const offer = offerId === undefined ? undefined : await resolveOffer(offerId);
      if (offer !== undefined) owner = { exchangeId, offer };
    }
    if (owner !== undefined && stored === undefined) {
      // Kept for other sellers' exchanges too: their later events then need no getExchange call.
      await deps.records.ensureExchange({
        exchangeId: key,
        offerId: owner.offer.offerId,
        sellerId: owner.offer.sellerId,
        exchangeToken: owner.offer.exchangeToken,
      });
    }
    exchanges.set(key, owner ?? null);
    return owner;
  }

  /** The seller's exchange an event is about, or undefined when it is another seller's. */
  async function sellersExchange(event: DecodedEvent): Promise<ExchangeOwner | undefined> {
    const exchangeId = optionalUintArg(event.args, "exchangeId");
    if (exchangeId === undefined) return undefined;
    const offerId = optionalUintArg(event.args, "offerId");
    const eventSeller = optionalUintArg(event.args, "sellerId");
    if (eventSeller !== undefined && eventSeller !== sellerId) return undefined;
    if (offerId !== undefined && !exchanges.has(exchangeId.toString())) {
      const offer = await resolveOffer(offerId);
      if (offer === undefined || BigInt(offer.sellerId) !== sellerId) {
        exchanges.set(exchangeId.toString(), offer === undefined ? null : { exchangeId, offer });
        return undefined;
      }
      await deps.records.ensureExchange({ exchangeId: exchangeId.toString(), offerId: offer.offerId, sellerId: offer.sellerId, exchangeToken: offer.exchangeToken });
      const owner = { exchangeId, offer };
      exchanges.set(exchangeId.toString(), owner);
      return owner;
    }
    const owner = await resolveExchange(exchangeId);
    return owner !== undefined && BigInt(owner.offer.sellerId) === sellerId ? owner : undefined;
  }

  async function blockTime(log: Log<bigint, number, false>): Promise<number> {
    const fromLog = (log as { blockTimestamp?: bigint | null }).blockTimestamp;
    if (typeof fromLog === "bigint") return Number(fromLog);
    const cached = blockTimes.get(log.blockNumber);
    if (cached !== undefined) return cached;
    const block = await client.getBlock({ blockNumber: log.blockNumber });
    blockTimes.set(log.blockNumber, Number(block.timestamp));
    return Number(block.timestamp);
  }

  function receipt(txHash: Hex): Promise<{ from: string; gasWei: bigint }> {
    let pending = receipts.get(txHash);
    if (pending === undefined) {
      pending = withToolCall(logger, { tool: "rpc", operation: "getTransactionReceipt", txHash }, async () => {
        const found = await client.getTransactionReceipt({ hash: txHash });
        const l1Fee = (found as { l1Fee?: bigint | null }).l1Fee ?? 0n; // OP-stack receipts carry the L1 data fee
        return { from: found.from.toLowerCase(), gasWei: found.gasUsed * found.effectiveGasPrice + l1Fee };
      });
      receipts.set(txHash, pending);
    }
    return pending;
  }

  function priceQuote(): Promise<PriceQuote | undefined> {
    const feed = config.priceFeed;
    if (feed === undefined) return Promise.resolve(undefined);
    quote ??= withToolCall(logger, { tool: "rpc", operation: "latestRoundData" }, () => readPrice(client, feed.address, feed.currency)).catch(
      () => undefined, // logged by withToolCall; exposure is then stored without its fiat value, the run goes on
    );
    return quote;
  }

  // ---- one event --------------------------------------------------------------------------------

  function record(event: DecodedEvent, timestamp: number, owner?: ExchangeOwner, deliver = false): ChainEventRecord {
    const { log } = event;
    return {
      id: chainEventId(log.transactionHash, log.logIndex),
      recordType: "chain-event",
      eventName: event.eventName,
      blockNumber: log.blockNumber.toString(),
      blockHash: log.blockHash,
      txHash: log.transactionHash,
      logIndex: log.logIndex,
      blockTimestamp: timestamp,
      ...(owner !== undefined ? { exchangeId: owner.exchangeId.toString(), offerId: owner.offer.offerId } : {}),
      args: toJson(event.args) as Record<string, ReturnType<typeof toJson>>,
      ...(deliver ? { delivery: { status: "pending" as const, endpoints: {} } } : {}),
      storedAt: now().toISOString(),
    };
  }

  async function store(item: ChainEventRecord): Promise<"stored" | "duplicate"> {
    const outcome = await withToolCall(
      logger,
      { tool: "dynamodb", operation: "putEvent", txHash: item.txHash, ...(item.exchangeId !== undefined ? { exchangeId: item.exchangeId } : {}) },
      () => deps.events.putOnce(item),
      (stored) => ({ details: { eventName: item.eventName, id: item.id, outcome: stored } }),
    );
    if (outcome === "stored") result.stored++;
    else result.duplicates++;
    return outcome;
  }

  async function sendWebhook(item: ChainEventRecord, outcome: "stored" | "duplicate"): Promise<void> {
    if (deps.webhooks === undefined) return;
    let previous = item.delivery;
    if (outcome === "duplicate") {
      // Seen before: send only if that earlier run stored it but did not finish delivering.
      previous = (await deps.events.get(item.id))?.delivery;
      if (previous === undefined || previous.status !== "pending") return;
    }
    const delivery = await deps.webhooks.deliver(
      webhookMessage(item, sellerId),
      previous,
    );
    await deps.events.recordDelivery(item.id, delivery);
    if (delivery.status === "delivered") result.delivered++;
    else {
      result.deadLettered++;
      metrics.add(metricNames.webhookDeadLettered, 1);
      logger.error("webhook dead-lettered; the event stays in the table with its payload", {
        eventId: item.id,
        exchangeId: item.exchangeId,
        txHash: item.txHash,
        eventName: item.eventName,
      });
    }
  }

  async function attributeGas(event: DecodedEvent, owner: ExchangeOwner): Promise<void> {
    const executedBy = addressArg(event.args, "executedBy");
    if (executedBy === undefined || !kit.has(executedBy.toLowerCase())) return;
    const { from, gasWei } = await receipt(event.log.transactionHash);
    if (!kit.has(from)) return; // relayed (meta-transaction): the relayer paid
    if (await deps.records.addGas(owner.exchangeId, event.log.transactionHash, gasWei)) {
      metrics.add(metricNames.gasSpentWei, Number(gasWei));
    }
  }

  async function processEvent(event: DecodedEvent, touched: Map<string, ExchangeOwner>): Promise<void> {
    const name = event.eventName;
    if (name === "OfferCreated") {
      const offer = offerFromOfferCreated(event.args);
      if (offer !== undefined) {
        // Every offer is kept (a small item), so later events about it need no getOffer call.
        offers.set(offer.offerId, offer);
        await deps.records.putOffer(offer);
      }
      return;
    }
    if (sellerAccountNames.has(name)) {
      await onSellerAccountEvent(event);
      return;
    }
    if (upgradeNames.has(name)) {
      const item = record(event, await blockTime(event.log));
      if ((await store(item)) === "stored") {
        result.upgrades++;
        metrics.add(metricNames.diamondCutSeen, 1);
        logger.warn("protocol upgrade on the diamond: review the new facets before the next release", {
          alert: "protocol-upgrade",
          eventName: name,
          txHash: item.txHash,
          blockNumber: item.blockNumber,
        });
      }
      return;
    }
    const owner = await sellersExchange(event);
    if (owner === undefined) return;
    touched.set(owner.exchangeId.toString(), owner);
    const timestamp = await blockTime(event.log);
    const notify = exchangeNames.has(name) || disputeNames.has(name);
    const item = record(event, timestamp, owner, notify && deps.webhooks !== undefined);
    const outcome = await store(item);

    if (name === "DisputeRaised") {
      await deps.records.openDispute(sellerId, owner.exchangeId, timestamp);
      if (outcome === "stored") {
        result.disputesRaised++;
        metrics.add(metricNames.disputeRaised, 1);
        logger.warn("dispute raised", { alert: "dispute-raised", exchangeId: item.exchangeId, txHash: item.txHash });
      }
    } else if (disputeClosingEvents.has(name)) {
      await deps.records.closeDispute(sellerId, owner.exchangeId);
    }
    if (feeNames.has(name)) {
      const amount = uintArg(event.args, name === "DRFeeRequested" ? "feeAmount" : "amount");
      await deps.records.addFeeEvent(owner.exchangeId, item.id, {
        kind: name === "DRFeeRequested" ? "dispute-resolver" : "protocol",
        amount: amount.toString(),
      });
    }
    await attributeGas(event, owner);
    if (notify) await sendWebhook(item, outcome);
  }

  async function onSellerAccountEvent(event: DecodedEvent): Promise<void> {
    if (optionalUintArg(event.args, "sellerId") !== sellerId) return;
    const item = record(event, await blockTime(event.log));
    if ((await store(item)) === "duplicate" || config.expectedSeller === undefined) return;
    const changes = unexpectedSellerChanges(event.eventName, event.args, config.expectedSeller);
    if (changes.length === 0) return;
    result.sellerAccountChanges++;
    metrics.add(metricNames.sellerAccountChanged, 1);
    logger.error("unexpected change to the seller account: if nobody on the team made it, follow the takeover runbook", {
      alert: "seller-account-changed",
      severity: "high",
      eventName: event.eventName,
      changes,
      executedBy: addressArg(event.args, "executedBy"),
      txHash: item.txHash,
    });
  }

  async function updateExposure(owner: ExchangeOwner): Promise<void> {
    const stored = await deps.records.getExchange(owner.exchangeId);
    if (stored === undefined) return;
    const facts = Object.values(stored.feeEvents);
    const exposure = computeExposure(
      {
        exchangeToken: owner.offer.exchangeToken,
        offerProtocolFee: BigInt(owner.offer.protocolFee),
        offerAgentFee: BigInt(owner.offer.agentFee),
        offerDisputeResolverFee: BigInt(owner.offer.disputeResolverFee),
        protocolFeesCollected: facts.filter((fact) => fact.kind === "protocol").map((fact) => BigInt(fact.amount)),
        disputeResolverFeesRequested: facts.filter((fact) => fact.kind === "dispute-resolver").map((fact) => BigInt(fact.amount)),
        gasWeiByTx: Object.fromEntries(Object.entries(stored.gasByTx).map(([tx, wei]) => [tx, BigInt(wei)])),
      },
      await priceQuote(),
    );
    await deps.records.setExposure(owner.exchangeId, {
      protocolFee: exposure.protocolFee.toString(),
      agentFee: exposure.agentFee.toString(),
      disputeResolverFee: exposure.disputeResolverFee.toString(),
      totalFees: exposure.totalFees.toString(),
      protocolFeeSource: exposure.protocolFeeSource,
      disputeResolverFeeSource: exposure.disputeResolverFeeSource,
      gasWei: exposure.gasWei.toString(),
      kitTransactions: exposure.kitTransactions,
      ...(exposure.fiat !== undefined ? { fiat: exposure.fiat } : {}),
      computedAt: now().toISOString(),
    });
    if (exposure.fiat !== undefined) metrics.add(metricNames.exchangeCostFiat, exposure.fiat.totalValue);
  }

  // ---- the ranges -------------------------------------------------------------------------------

  const minRemainingMs = deps.minRemainingMs ?? 15_000;
  while (last < finalBlock && result.ranges < config.maxRangesPerRun) {
    if (deps.remainingMs !== undefined && deps.remainingMs() < minRemainingMs) {
      logger.warn("stopping before the Lambda timeout; the next run continues from the checkpoint", { lastBlock: last.toString() });
      break;
    }
    const fromBlock = last + 1n;
    const toBlock = fromBlock + config.maxBlockRange - 1n < finalBlock ? fromBlock + config.maxBlockRange - 1n : finalBlock;
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
    for (const log of ordered) {
      result.logs++;
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
      await processEvent(event, touched);
    }
    for (const owner of touched.values()) await updateExposure(owner);
    // The run's last checkpoint carries its block hash, which the next run checks (one getBlock per run).
    const lastOfRun = toBlock === finalBlock || result.ranges + 1 >= config.maxRangesPerRun;
    const toHash = lastOfRun ? ((await client.getBlock({ blockNumber: toBlock })).hash ?? undefined) : undefined;
    await withToolCall(logger, { tool: "dynamodb", operation: "advanceCheckpoint", details: { toBlock: toBlock.toString() } }, () =>
      deps.checkpoints.advance(checkpointName, expected, toBlock, toHash),
    );
    result.fromBlock ??= fromBlock;
    result.toBlock = toBlock;
    result.ranges++;
    expected = toBlock;
    last = toBlock;
  }
  result.caughtUp = last >= finalBlock;

  // ---- disputes open for more than a day (B3), in chain time ------------------------------------
  const open = await deps.records.openDisputes(sellerId);
  const headTime = Number(head.timestamp);
  result.disputesOpenOverOneDay = Object.entries(open)
    .filter(([, raisedAt]) => headTime - raisedAt > oneDaySeconds)
    .map(([exchangeId]) => exchangeId)
    .sort((a, b) => Number(a) - Number(b));
  metrics.add(metricNames.disputesOpenOverOneDay, result.disputesOpenOverOneDay.length);
  if (result.disputesOpenOverOneDay.length > 0) {
    logger.warn("disputes open for more than a day", { alert: "dispute-open-over-one-day", exchangeIds: result.disputesOpenOverOneDay });
  }
  if (deps.alerts !== undefined && config.disputeAlertLeadHours !== undefined) {
    const pages = await checkDisputeDeadlines({
      client, diamond: config.diamond, logger, ledger: deps.alerts, leadHours: config.disputeAlertLeadHours, nowSeconds: head.timestamp, openExchangeIds: Object.keys(open),
      onPage: (page) => {
        metrics.add(metricNames.disputeDeadlineNear, 1);
        logger.error("a dispute deadline is near", { alert: "dispute-deadline-near", severity: "high", ...page });
      },
    });
    result.disputeDeadlinesPaged = pages.map((page) => page.exchangeId);
  }
  return result;
}

// ---- decoding the protocol's offer and exchange views ------------------------------------------------

function field(value: unknown, name: string, index: number): unknown {
  if (value === null || typeof value !== "object") return undefined;
  const named = (value as Record<string, unknown>)[name];
  if (named !== undefined) return named;
  return Array.isArray(value) ? (value as unknown[])[index] : undefined;
}

function big(value: unknown): bigint {
  return typeof value === "bigint" ? value : 0n;
}

function offerRecord(offerId: bigint, offer: unknown, terms: unknown, fees: unknown): OfferRecord {
  const token = field(offer, "exchangeToken", 6);
  return {
    id: offerKey(offerId),
    recordType: "offer",
    offerId: offerId.toString(),
    sellerId: big(field(offer, "sellerId", 1)).toString(),
    exchangeToken: typeof token === "string" ? getAddress(token) : "",
    price: big(field(offer, "price", 2)).toString(),
    protocolFee: big(field(fees, "protocolFee", 0)).toString(),
    agentFee: big(field(fees, "agentFee", 1)).toString(),
    disputeResolverFee: big(field(terms, "feeAmount", 2)).toString(),
  };
}

/** From OfferCreated's arguments. */
export function offerFromOfferCreated(args: Record<string, unknown>): OfferRecord | undefined {
  const offerId = optionalUintArg(args, "offerId");
  if (offerId === undefined) return undefined;
  return offerRecord(offerId, args.offer, args.disputeResolutionTerms, args.offerFees);
}

/** From getOffer's outputs: (exists, offer, offerDates, offerDurations, disputeResolutionTerms, offerFees). */
export function offerFromGetOffer(offerId: bigint, outputs: unknown): OfferRecord | undefined {
  if (!Array.isArray(outputs) || outputs[0] !== true) return undefined;
  return offerRecord(offerId, outputs[1], outputs[4], outputs[5]);
}

/** From getExchange's outputs: (exists, exchange, voucher). */
export function offerIdFromGetExchange(outputs: unknown): bigint | undefined {
  if (!Array.isArray(outputs) || outputs[0] !== true) return undefined;
  const offerId = field(outputs[1], "offerId", 1);
  return typeof offerId === "bigint" ? offerId : undefined;
}
