import { createPublicClient, custom, http, parseEther, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { Anvil } from "../harness/anvil";
import type { Dynalite } from "../harness/dynalite";
import {
  anvilKeys,
  commitToOffer,
  createOffer,
  createSeller,
  send,
  type FixtureDeployment,
} from "../harness/protocol-fixture";
import type { WebhookReceiver } from "../harness/webhook-receiver";
import { startWatcherPeers, webhookSecret } from "../harness/watcher-peers";

/**
 * The watcher's world: anvil with the protocol fixture, two sellers, dynalite
 * and a webhook receiver. The `let` bindings are assigned by the hooks
 * `useWatcherWorld` registers in the calling test file; importers read them
 * live.
 */

export const secret = webhookSecret();
export const kitKey = anvilKeys[1];
export const buyerKey = anvilKeys[2];
export const otherBuyerKey = anvilKeys[3];
export const kit = privateKeyToAccount(kitKey).address;
export const buyer = privateKeyToAccount(buyerKey).address;
export const price = parseEther("0.01");

export let anvil: Anvil;
export let db: Dynalite;
export let receiver: WebhookReceiver;
export let fixture: FixtureDeployment;
export let client: PublicClient;
export let sellerId: bigint;
export let otherSellerId: bigint;

/** Starts the world before the calling file's tests and stops it after them. */
export function useWatcherWorld(): void {
  beforeAll(async () => {
    ({ anvil, db, receiver, fixture } = await startWatcherPeers(secret));
    client = fixture.publicClient as PublicClient;
    ({ sellerId } = await createSeller(fixture, kit, kit));
    ({ sellerId: otherSellerId } = await createSeller(
      fixture,
      fixture.deployer.account.address,
      fixture.deployer.account.address,
    ));
  });
  afterAll(async () => {
    await Promise.all([anvil?.stop(), db?.stop(), receiver?.stop()]);
  });
  beforeEach(() => {
    receiver.reset();
  });
}

export const commit = (key: Hex, forBuyer: Address, offer: bigint): Promise<{ hash: Hex; exchangeId: bigint }> =>
  commitToOffer(fixture, fixture.wallet(key), offer, { price, buyer: forBuyer });
export const call = (key: Hex, functionName: string, args: readonly unknown[]) =>
  send(fixture, fixture.wallet(key), { address: fixture.diamond, abi: fixture.abi, functionName, args });
export const mine = (blocks: number) => fixture.testClient.mine({ blocks });
export const nextBlock = async () => (await client.getBlockNumber({ cacheTime: 0 })) + 1n;
/** The seller's offer, created inside the watched range (the fixture has no getOffer: the watcher learns offers from OfferCreated). */
export const newOffer = (seller: bigint = sellerId) =>
  createOffer(fixture, seller, { price, disputePeriodSeconds: 7n * 86_400n });

/** A client on anvil that records the JSON-RPC method of every request it makes. */
export function countingClient(): { client: PublicClient; calls: string[] } {
  const calls: string[] = [];
  const inner = http(anvil.rpcUrl)({ chain: anvil.chain });
  const client = createPublicClient({
    chain: anvil.chain,
    transport: custom({
      request: async (args: { method: string; params?: unknown }) => {
        calls.push(args.method);
        return inner.request(args as never);
      },
    }),
  }) as PublicClient;
  return { client, calls };
}
