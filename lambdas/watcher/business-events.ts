import type { ChainEventRecord } from "../shared/stores/events";
import type { TallyEvent } from "../shared/stores/business-tally";

/** The smoke job's test exchanges are the kit's own, not customers': kept out of webhooks, dispute alerts and business figures. */
export function isSmokeExchange(config: { smokeOfferId?: string }, offerId: string): boolean {
  return config.smokeOfferId !== undefined && config.smokeOfferId === offerId;
}

/** What the business counters need from a stored exchange event. */
export function tallyEventOf(item: ChainEventRecord): TallyEvent {
  if (item.exchangeId === undefined)
    throw new Error(`event ${item.id} has no exchange id: only exchange events are counted`);
  return {
    eventName: item.eventName,
    exchangeId: item.exchangeId,
    blockNumber: BigInt(item.blockNumber),
    logIndex: item.logIndex,
    blockTimestamp: item.blockTimestamp,
  };
}
