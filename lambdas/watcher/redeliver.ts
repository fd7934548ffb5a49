import type { Logger } from "@aws-lambda-powertools/logger";
import type { EventStore } from "../shared/stores/events";
import type { WebhookSender } from "../shared/webhooks/delivery";
import { webhookMessage } from "./webhook-message";

/**
 * Replays dead-lettered webhooks (an operator's decision once the
 * fulfillment endpoint is back): each is sent again with its original
 * `webhook-id` to the endpoints that did not get it, and its delivery state is
 * updated. Returns how many are now delivered and how many are still dead.
 */
export async function redeliverDeadLetters(deps: {
  events: EventStore;
  webhooks: WebhookSender;
  sellerId: bigint;
  logger: Logger;
}): Promise<{ delivered: string[]; stillDead: string[] }> {
  const delivered: string[] = [];
  const stillDead: string[] = [];
  for (const item of await deps.events.listDeadLettered()) {
    const delivery = await deps.webhooks.deliver(webhookMessage(item, deps.sellerId), item.delivery);
    await deps.events.recordDelivery(item.id, delivery);
    (delivery.status === "delivered" ? delivered : stillDead).push(item.id);
  }
  deps.logger.info("dead-lettered webhooks replayed", { delivered: delivered.length, stillDead: stillDead.length });
  return { delivered, stillDead };
}
