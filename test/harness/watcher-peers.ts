import { randomBytes } from "node:crypto";
import { startAnvil, type Anvil } from "./anvil";
import { startDynalite, type Dynalite } from "./dynalite";
import { deployProtocolFixture, type FixtureDeployment } from "./protocol-fixture";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver";

/**
 * The local peers a watcher run talks to: anvil with the protocol fixture
 * deployed, dynalite for its tables, and a fulfillment endpoint that checks
 * Standard Webhooks signatures with the given secret.
 */
export interface WatcherPeers {
  readonly anvil: Anvil;
  readonly db: Dynalite;
  readonly receiver: WebhookReceiver;
  readonly fixture: FixtureDeployment;
}

/** A fresh Standard Webhooks signing secret (`whsec_` + base64 of 32 random bytes). */
export const webhookSecret = (): string => `whsec_${randomBytes(32).toString("base64")}`;

export async function startWatcherPeers(secret: string, tables: readonly string[] = []): Promise<WatcherPeers> {
  const [anvil, db, receiver] = await Promise.all([startAnvil(), startDynalite(tables), startWebhookReceiver(secret)]);
  try {
    return { anvil, db, receiver, fixture: await deployProtocolFixture(anvil.chain, anvil.rpcUrl) };
  } catch (error) {
    await Promise.all([anvil.stop(), db.stop(), receiver.stop()]);
    throw error;
  }
}
