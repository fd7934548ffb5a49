/**
 * The operator's replay of dead-lettered webhooks once the endpoint is back:
 * the kit's own `redeliverDeadLetters` over the local events table and the
 * Standard Webhooks sender, as the operator would run it.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { environmentVariables } from "../../lambdas/contract";
import { createEventStore } from "../../lambdas/shared/stores/events";
import { createWebhookSender } from "../../lambdas/shared/webhooks/delivery";
import { redeliverDeadLetters as replay } from "../../lambdas/watcher/redeliver";
import type { World } from "./world";

export function redeliverDeadLetters(world: World): Promise<{ delivered: string[]; stillDead: string[] }> {
  const watcher = world.stack.jobs.find((job) => job.job === "watcher");
  const table = watcher?.environment[environmentVariables.eventsTable];
  if (!table) throw new Error("the local stack's watcher has no events table");
  return replay({
    events: createEventStore(world.peers.dynalite.documents, table),
    webhooks: createWebhookSender({ secret: world.peers.webhookSecret, endpoints: [world.peers.receiver.url] }),
    sellerId: world.peers.seller.id,
    logger: new Logger({ serviceName: "dev-redelivery", logLevel: "SILENT" }),
  });
}
