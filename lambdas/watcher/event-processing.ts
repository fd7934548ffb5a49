import type { Logger } from "@aws-lambda-powertools/logger";
import type { Log, PublicClient } from "viem";
import { alertField, alertNames, metricNames } from "../contract";
import { withToolCall } from "../shared/runtime/logger";
import type { JobMetrics } from "../shared/runtime/metrics";
import { chainEventId, type ChainEventRecord, type EventStore, type PutOutcome } from "../shared/stores/events";
import type { WebhookSender } from "../shared/webhooks/delivery";
import type { ExchangeDirectory, ExchangeOwner } from "./exchange-directory";
import {
  addressArg,
  disputeClosingEvents,
  disputeEvents,
  exchangeEvents,
  feeEvents,
  optionalUintArg,
  sellerAccountEvents,
  toJson,
  uintArg,
  upgradeEvents,
  type DecodedEvent,
} from "./events";
import { unexpectedSellerChanges, type ExpectedSellerAccount } from "./seller-account";
import type { ExposureTracker } from "./exposure-tracker";
import { offerFromOfferCreated } from "./protocol-views";
import type { SellerRecords } from "./seller-records";
import { webhookMessage } from "./webhook-message";
import type { BusinessTally } from "../shared/stores/business-tally";
import { isSmokeExchange, tallyEventOf } from "./business-events";

/**
 * What the watcher does with one decoded event: keeps offers, stores the
 * seller's events once (`txHash#logIndex`), raises the upgrade and dispute
 * alerts, keeps dispute and fee facts, attributes the kit's gas, and sends
 * the exchange and dispute events to the fulfillment endpoints. Each call
 * returns what it counted; the caller sums the counts.
 */

export type EventTally = {
  stored: number;
  duplicates: number;
  delivered: number;
  deadLettered: number;
  upgrades: number;
  disputesRaised: number;
  /** Seller-account events the config did not expect (M3). */
  sellerAccountChanges: number;
};

export const emptyTally = (): EventTally => ({
  stored: 0,
  duplicates: 0,
  delivered: 0,
  deadLettered: 0,
  upgrades: 0,
  disputesRaised: 0,
  sellerAccountChanges: 0,
});

export function addTallies(left: EventTally, right: EventTally): EventTally {
  return {
    stored: left.stored + right.stored,
    duplicates: left.duplicates + right.duplicates,
    delivered: left.delivered + right.delivered,
    deadLettered: left.deadLettered + right.deadLettered,
    upgrades: left.upgrades + right.upgrades,
    disputesRaised: left.disputesRaised + right.disputesRaised,
    sellerAccountChanges: left.sellerAccountChanges + right.sellerAccountChanges,
  };
}

export type ProcessedEvent = {
  tally: EventTally;
  /** The seller's exchange the event was about: its exposure is due for an update. */
  owner?: ExchangeOwner;
};

export type EventProcessorDeps = {
  client: Pick<PublicClient, "getBlock">;
  events: EventStore;
  records: SellerRecords;
  /** Absent when no fulfillment endpoint is configured: events are stored, nothing is sent. */
  webhooks?: WebhookSender;
  directory: ExchangeDirectory;
  exposure: Pick<ExposureTracker, "attributeGas">;
  logger: Logger;
  metrics: Pick<JobMetrics, "add">;
  sellerId: bigint;
  /** The seller account the config expects; without it seller-account events are stored, not judged. */
  expectedSeller?: ExpectedSellerAccount;
  now: () => Date;
  /** The business counters the health job reads; absent: not kept. */
  tally?: BusinessTally;
  /** The smoke job's test offer: its exchanges are stored tagged, never sent, alerted on or counted. */
  smokeOfferId?: string;
  /** How long a run holds a pending webhook before another run may send it (default 2 minutes, over the Lambda timeout). */
  deliveryLeaseMs?: number;
};

export type EventProcessor = (event: DecodedEvent) => Promise<ProcessedEvent>;

const upgradeNames: ReadonlySet<string> = new Set(upgradeEvents);
const sellerAccountNames: ReadonlySet<string> = new Set(sellerAccountEvents);
const notifiedNames: ReadonlySet<string> = new Set([...exchangeEvents, ...disputeEvents]);
const feeNames: ReadonlySet<string> = new Set(feeEvents);

/** The stored form of an event; `deliver` marks it pending delivery, held by this run until `claimedUntil`. */
export function eventRecord(
  event: DecodedEvent,
  timestamp: number,
  storedAt: Date,
  owner?: ExchangeOwner,
  deliver = false,
  claimedUntil?: string,
): ChainEventRecord {
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
    ...(deliver
      ? {
          delivery: {
            status: "pending" as const,
            endpoints: {},
            ...(claimedUntil !== undefined ? { claimedUntil } : {}),
          },
        }
      : {}),
    storedAt: storedAt.toISOString(),
  };
}

/** Builds the processor for one run: block times are cached for the run. */
export function createEventProcessor(deps: EventProcessorDeps): EventProcessor {
  const { logger, metrics, records, sellerId } = deps;
  const blockTimes = new Map<bigint, number>();
  const leaseEnd = () => new Date(deps.now().getTime() + (deps.deliveryLeaseMs ?? 120_000)).toISOString();

  /** A pending delivery another run stored: sent by this run only if that run's claim ran out and this run takes it over. */
  async function mayTakeOver(id: string, previous: ChainEventRecord["delivery"]): Promise<boolean> {
    if (previous === undefined || previous.status !== "pending") return false;
    if (previous.claimedUntil !== undefined && Date.parse(previous.claimedUntil) > deps.now().getTime()) return false;
    return deps.events.claimDelivery(id, previous.claimedUntil, leaseEnd());
  }

  async function blockTime(log: Log<bigint, number, false>): Promise<number> {
    const fromLog = (log as { blockTimestamp?: bigint | null }).blockTimestamp;
    if (typeof fromLog === "bigint") return Number(fromLog);
    const cached = blockTimes.get(log.blockNumber);
    if (cached !== undefined) return cached;
    const block = await deps.client.getBlock({ blockNumber: log.blockNumber });
    blockTimes.set(log.blockNumber, Number(block.timestamp));
    return Number(block.timestamp);
  }

  const store = (item: ChainEventRecord): Promise<PutOutcome> =>
    withToolCall(
      logger,
      {
        tool: "dynamodb",
        operation: "putEvent",
        txHash: item.txHash,
        ...(item.exchangeId !== undefined ? { exchangeId: item.exchangeId } : {}),
      },
      () => deps.events.putOnce(item),
      (stored) => ({ details: { eventName: item.eventName, id: item.id, outcome: stored } }),
    );

  const stored = (outcome: PutOutcome): EventTally => ({
    ...emptyTally(),
    stored: outcome === "stored" ? 1 : 0,
    duplicates: outcome === "duplicate" ? 1 : 0,
  });

  async function sendWebhook(
    webhooks: WebhookSender,
    item: ChainEventRecord,
    outcome: PutOutcome,
  ): Promise<Pick<EventTally, "delivered" | "deadLettered">> {
    let previous = item.delivery;
    if (outcome === "duplicate") {
      // Seen before: send only if that earlier run stored it but did not finish delivering.
      previous = (await deps.events.get(item.id))?.delivery;
      if (!(await mayTakeOver(item.id, previous))) return { delivered: 0, deadLettered: 0 };
    }
    const delivery = await webhooks.deliver(webhookMessage(item, sellerId), previous);
    await deps.events.recordDelivery(item.id, delivery);
    if (delivery.status === "delivered") return { delivered: 1, deadLettered: 0 };
    metrics.add(metricNames.webhookDeadLettered, 1);
    logger.error("webhook dead-lettered; the event stays in the table with its payload", {
      eventId: item.id,
      exchangeId: item.exchangeId,
      txHash: item.txHash,
      eventName: item.eventName,
    });
    return { delivered: 0, deadLettered: 1 };
  }

  async function upgrade(event: DecodedEvent): Promise<ProcessedEvent> {
    const item = eventRecord(event, await blockTime(event.log), deps.now());
    const outcome = await store(item);
    if (outcome === "stored") {
      metrics.add(metricNames.diamondCutSeen, 1);
      logger.warn("protocol upgrade on the diamond: review the new facets before the next release", {
        [alertField]: alertNames.protocolUpgrade,
        eventName: event.eventName,
        txHash: item.txHash,
        blockNumber: item.blockNumber,
      });
    }
    return { tally: { ...stored(outcome), upgrades: outcome === "stored" ? 1 : 0 } };
  }

  /** The seller's own account events: stored once, and a page for any change the config does not expect. */
  async function sellerAccount(event: DecodedEvent): Promise<ProcessedEvent> {
    if (optionalUintArg(event.args, "sellerId") !== sellerId) return { tally: emptyTally() };
    const item = eventRecord(event, await blockTime(event.log), deps.now());
    const outcome = await store(item);
    const changes =
      outcome === "stored" && deps.expectedSeller !== undefined
        ? unexpectedSellerChanges(event.eventName, event.args, deps.expectedSeller)
        : [];
    if (changes.length > 0) {
      metrics.add(metricNames.sellerAccountChanged, 1);
      logger.error(
        "unexpected change to the seller account: if nobody on the team made it, follow the takeover runbook",
        {
          [alertField]: alertNames.sellerAccountChanged,
          severity: "high",
          eventName: event.eventName,
          changes,
          executedBy: addressArg(event.args, "executedBy"),
          txHash: item.txHash,
        },
      );
    }
    return { tally: { ...stored(outcome), sellerAccountChanges: changes.length > 0 ? 1 : 0 } };
  }

  async function exchangeEvent(event: DecodedEvent, owner: ExchangeOwner): Promise<ProcessedEvent> {
    const name = event.eventName;
    const timestamp = await blockTime(event.log);
    const smoke = isSmokeExchange(deps, owner.offer.offerId);
    const notify = !smoke && notifiedNames.has(name) && deps.webhooks !== undefined;
    const item = {
      ...eventRecord(event, timestamp, deps.now(), owner, notify, notify ? leaseEnd() : undefined),
      ...(smoke ? { smokeTest: true as const } : {}),
    };
    const outcome = await store(item);
    if (!smoke && deps.tally !== undefined) await deps.tally.apply(tallyEventOf(item));
    let disputesRaised = 0;
    if (name === "DisputeRaised" && !smoke) {
      await records.openDispute(sellerId, owner.exchangeId, timestamp);
      if (outcome === "stored") {
        disputesRaised = 1;
        metrics.add(metricNames.disputeRaised, 1);
        logger.warn("dispute raised", {
          [alertField]: alertNames.disputeRaised,
          exchangeId: item.exchangeId,
          txHash: item.txHash,
        });
      }
    } else if (disputeClosingEvents.has(name)) {
      await records.closeDispute(sellerId, owner.exchangeId);
    }
    if (feeNames.has(name)) {
      const amount = uintArg(event.args, name === "DRFeeRequested" ? "feeAmount" : "amount");
      await records.addFeeEvent(owner.exchangeId, item.id, {
        kind: name === "DRFeeRequested" ? "dispute-resolver" : "protocol",
        amount: amount.toString(),
      });
    }
    await deps.exposure.attributeGas(event, owner);
    const sent =
      notify && deps.webhooks !== undefined
        ? await sendWebhook(deps.webhooks, item, outcome)
        : { delivered: 0, deadLettered: 0 };
    return { tally: { ...stored(outcome), ...sent, disputesRaised }, owner };
  }

  return async (event) => {
    if (event.eventName === "OfferCreated") {
      const offer = offerFromOfferCreated(event.args);
      // Every offer is kept (a small item), so later events about it need no getOffer call.
      if (offer !== undefined) await deps.directory.rememberOffer(offer);
      return { tally: emptyTally() };
    }
    if (upgradeNames.has(event.eventName)) return upgrade(event);
    if (sellerAccountNames.has(event.eventName)) return sellerAccount(event);
    const owner = await deps.directory.sellersExchange(event);
    if (owner === undefined) return { tally: emptyTally() };
    return exchangeEvent(event, owner);
  };
}
