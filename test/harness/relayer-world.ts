/**
 * The relayer tests' world: anvil with the protocol fixture and a KMS-signing
 * seller (startKmsSellerChain), the relayer stand-in paying from anvil's
 * account #1, and stdout captured per test. `useRelayerWorld()` registers the
 * hooks in the calling test file and returns the world they fill in.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { createWalletClient, http, parseEther, zeroAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { WriteClients } from "../../lambdas/shared/chain/clients";
import { relayerFor, type Relayer } from "../../lambdas/shared/chain/relayer";
import { sendProtocolTransaction } from "../../lambdas/shared/chain/transactions";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../../lambdas/shared/runtime/metrics";
import { captureStdout, type CapturedOutput } from "./job-output";
import { startKmsSellerChain, type KmsSellerChain } from "./kms-seller-chain";
import { anvilKeys, type FixtureDeployment, type SellerSetup } from "./protocol-fixture";
import { startRelayerStandIn, type RelayerStandIn } from "./relayer-stand-in";

export const relayerApiKey = "test-relayer-key";
export const relayerApiId = "api-id-execute-meta-tx";
export const relayerAccount = privateKeyToAccount(anvilKeys[1]);

export interface RelayerWorld {
  peers: KmsSellerChain;
  fixture: FixtureDeployment;
  seller: SellerSetup;
  clients: WriteClients;
  output: CapturedOutput;
  standIn: RelayerStandIn;
  /** The kit's adapter pointed at the stand-in. */
  relayer(overrides?: { ratePerSecond?: number; burst?: number; timeoutMs?: number; now?: () => number }): Relayer;
  /** A small withdrawFunds through `via`, each under a fresh idempotency key unless one is given. */
  withdrawSmall(
    via: Relayer,
    options?: { requestId?: string; idempotencyKey?: string; sleep?: () => Promise<void> },
  ): ReturnType<typeof sendProtocolTransaction>;
  /** The tool-call records of the relayer submissions so far in this test. */
  relayerCalls(): ReturnType<CapturedOutput["toolCalls"]>;
}

export function useRelayerWorld(): RelayerWorld {
  let keyCounter = 0;
  const world = {
    relayer(overrides = {}) {
      const config = {
        url: world.standIn.url,
        apiId: relayerApiId,
        apiKey: relayerApiKey,
        ratePerSecond: overrides.ratePerSecond ?? 10,
        burst: overrides.burst ?? 5,
        timeoutMs: overrides.timeoutMs ?? 2_000,
      };
      return relayerFor(config, { now: overrides.now ?? Date.now });
    },
    async withdrawSmall(via, options = {}) {
      const metrics = createJobMetrics("withdraw", "test");
      const sent = await sendProtocolTransaction(
        { functionName: "withdrawFunds", args: [world.seller.sellerId, [zeroAddress], [parseEther("0.01")]] },
        {
          clients: world.clients,
          diamond: world.fixture.diamond,
          logger: createJobLogger("withdraw"),
          requestId: options.requestId ?? "relayer-test",
          idempotencyKey: options.idempotencyKey ?? `withdraw-${++keyCounter}`,
          confirmations: 1,
          relayer: via,
          metrics,
          pollIntervalMs: 20,
          relayedMineTimeoutMs: 1_000,
          ...(options.sleep ? { sleep: options.sleep } : {}),
        },
      );
      metrics.flush();
      return sent;
    },
    relayerCalls: () =>
      world.output.toolCalls().filter((call) => call.tool === "relayer" && call.operation === "executeMetaTransaction"),
  } as RelayerWorld;

  beforeAll(async () => {
    world.peers = await startKmsSellerChain({ depositWei: parseEther("1") });
    world.fixture = world.peers.fixture;
    world.seller = world.peers.seller;
    world.clients = world.peers.writeClients("withdraw");
    const wallet = createWalletClient({
      chain: world.fixture.chain,
      transport: http(world.peers.anvil.rpcUrl),
      account: relayerAccount,
    });
    world.standIn = await startRelayerStandIn(wallet);
  });
  afterAll(async () => {
    await Promise.all([world.peers?.stop(), world.standIn?.stop()]);
  });
  beforeEach(() => {
    world.output = captureStdout();
    world.standIn.reset();
  });
  afterEach(() => world.output.restore());
  return world;
}
