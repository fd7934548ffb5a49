/**
 * The local world `npm run dev` runs the jobs against: anvil with the
 * protocol fixture at the official local diamond address, a KMS-compatible
 * endpoint holding a fresh secp256k1 key, dynalite, the Secrets Manager
 * stand-in, the local subgraph and a Standard Webhooks receiver.
 *
 * Tools import test/harness on purpose: those files are the kit's local
 * peers (the same stand-ins the tests check the jobs against), not test-only
 * helpers, so the dev loop and the tests exercise one set of peers.
 */
import { randomBytes } from "node:crypto";
import { getContractAddress, parseEther, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startAnvil, type Anvil } from "../../test/harness/anvil";
import { startDynalite, type Dynalite } from "../../test/harness/dynalite";
import { startKmsEndpoint, type KmsEndpoint } from "../../test/harness/kms-endpoint";
import {
  anvilKeys,
  createOffer,
  createSeller,
  deployProtocolFixture,
  depositFunds,
  fund,
  type FixtureDeployment,
} from "../../test/harness/protocol-fixture";
import { startSecretsEndpoint, type SecretsEndpoint } from "../../test/harness/secrets-endpoint";
import { startSubgraphServer, type SubgraphServer } from "../../test/harness/subgraph-server";
import { startWebhookReceiver, type WebhookReceiver } from "../../test/harness/webhook-receiver";
import { startRelayerStandIn, type RelayerStandIn } from "../../test/harness/relayer-stand-in";
import { kmsAccount } from "../../lambdas/shared/kms-account/account";

export type LocalPeers = {
  anvil: Anvil;
  fixture: FixtureDeployment;
  kms: KmsEndpoint;
  keyId: string;
  signer: Address;
  dynalite: Dynalite;
  secrets: SecretsEndpoint;
  subgraph: SubgraphServer;
  receiver: WebhookReceiver;
  relayer: RelayerStandIn;
  rpcSecretArn: string;
  webhookSecretArn: string;
  /** Held in memory for the operator's redelivery; never printed. */
  webhookSecret: string;
  seller: { id: bigint; treasury: Address; admin: Address };
  buyerKey: `0x${string}`;
  offerId: bigint;
  stop(): Promise<void>;
};

/** The seller's treasury and admin in Pulumi.local.yaml: anvil's accounts #2 and #0. */
export const localTreasury = privateKeyToAccount(anvilKeys[2]).address;
export const localAdmin = privateKeyToAccount(anvilKeys[0]).address;

/**
 * The official local-31337-0 diamond is where the Boson deployment scripts
 * put it on a fresh anvil: the CREATE address of account #0 at nonce 7.
 * Deploying the fixture from that account at that nonce lands it there, so the
 * stack's H1 check holds with no override.
 */
export const officialDiamondNonce = 7;

export function diamondAddressAtNonce(nonce: number): Address {
  return getContractAddress({ from: localAdmin, nonce: BigInt(nonce) });
}

/** Starts every peer; on any failure stops those already started. */
export async function startLocalPeers(options: {
  tables: readonly string[];
  expectedDiamond: Address;
}): Promise<LocalPeers> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    await Promise.allSettled(stops.reverse().map((stop) => stop()));
  };
  try {
    const webhookSecret = `whsec_${randomBytes(32).toString("base64")}`;
    // allSettled, not all: a peer that starts after another failed must still be stopped.
    const started = await Promise.allSettled([
      startAnvil().then((peer) => (stops.push(peer.stop), peer)),
      startKmsEndpoint({ region: "eu-west-1" }).then((peer) => (stops.push(peer.close), peer)),
      startDynalite(options.tables).then((peer) => (stops.push(peer.stop), peer)),
      startSecretsEndpoint({ region: "eu-west-1" }).then((peer) => (stops.push(peer.close), peer)),
      startWebhookReceiver(webhookSecret).then((peer) => (stops.push(peer.stop), peer)),
    ] as const);
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const [anvil, kms, dynalite, secrets, receiver] = started.map(
      (result) => (result as PromiseFulfilledResult<unknown>).value,
    ) as [Anvil, KmsEndpoint, Dynalite, SecretsEndpoint, WebhookReceiver];
    const fixture = await deployAtOfficialAddress(anvil, options.expectedDiamond);
    const { keyId } = kms.createKey();
    const account = await kmsAccount({ keyId, client: kms.client() });
    await fund(fixture, account.address, parseEther("0.5"));
    const created = await createSeller(fixture, account.address, localTreasury);
    await depositFunds(fixture, created.sellerId, "0x0000000000000000000000000000000000000000", parseEther("0.001"));
    const offerId = await createOffer(fixture, created.sellerId, { price: parseEther("0.01") });
    const subgraph = await startSubgraphServer({
      rpcUrl: anvil.rpcUrl,
      diamond: fixture.diamond,
      fromBlock: fixture.deployBlock,
    });
    stops.push(subgraph.stop);
    const relayer = await startRelayerStandIn(fixture.wallet(anvilKeys[1]));
    stops.push(relayer.stop);
    return {
      anvil,
      fixture,
      kms,
      keyId,
      signer: account.address,
      dynalite,
      secrets,
      subgraph,
      receiver,
      relayer,
      // The relayer's api key is a local placeholder: the stand-in checks none.
      rpcSecretArn: secrets.putSecret(
        "local-rpc-urls",
        JSON.stringify({ primary: anvil.rpcUrl, relayerApiKey: "local-relayer-key" }),
      ),
      webhookSecretArn: secrets.putSecret("local-webhook-secret", webhookSecret),
      webhookSecret,
      seller: { id: created.sellerId, treasury: localTreasury, admin: localAdmin },
      buyerKey: anvilKeys[3],
      offerId,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export async function deployAtOfficialAddress(anvil: Anvil, expected: Address): Promise<FixtureDeployment> {
  const landing = diamondAddressAtNonce(officialDiamondNonce);
  if (landing.toLowerCase() !== expected.toLowerCase()) {
    throw new Error(
      `the stack's diamond ${expected} is not account #0's CREATE address at nonce ${officialDiamondNonce} (${landing}): the local fixture cannot be placed there`,
    );
  }
  await fetch(anvil.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "anvil_setNonce",
      params: [localAdmin, `0x${officialDiamondNonce.toString(16)}`],
    }),
  });
  const fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  if (fixture.diamond.toLowerCase() !== expected.toLowerCase())
    throw new Error(`the fixture landed at ${fixture.diamond}, not ${expected}`);
  return fixture;
}
