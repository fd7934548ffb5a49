import type { ChainEventRecord } from "../shared/stores/events";
import type { WebhookMessage } from "../shared/webhooks/delivery";
import { webhookType } from "./events";

/**
 * The fulfillment webhook for a stored chain event: event data only (no
 * secrets, no transaction objects), with the event id as `webhook-id` so a
 * retry, a re-run or a replay carries the same id and receivers dedupe.
 */
export function webhookMessage(item: ChainEventRecord, sellerId: bigint): WebhookMessage {
  return {
    id: item.id,
    type: webhookType(item.eventName),
    data: {
      eventName: item.eventName,
      sellerId: sellerId.toString(),
      ...(item.exchangeId !== undefined ? { exchangeId: item.exchangeId } : {}),
      ...(item.offerId !== undefined ? { offerId: item.offerId } : {}),
      blockNumber: item.blockNumber,
      blockTimestamp: item.blockTimestamp,
      txHash: item.txHash,
      logIndex: item.logIndex,
      args: item.args,
    },
    ...(item.exchangeId !== undefined ? { exchangeId: item.exchangeId } : {}),
    txHash: item.txHash,
  };
}
