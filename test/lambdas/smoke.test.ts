/**
 * The smoke job (M2, C4) on the protocol fixture: the KMS account runs a
 * known test offer through both paths, waiting for the local subgraph to
 * index each write (O2).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseEther } from "viem";
import type { WriteClients } from "../../lambdas/shared/chain/clients";
import { createIdempotentRunner } from "../../lambdas/shared/stores/idempotency";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../../lambdas/shared/runtime/metrics";
import { DisputeState, ExchangeState, PausableRegion, protocolAbi } from "../../lambdas/shared/chain/protocol";
import { smokeJob, type SmokeDeps } from "../../lambdas/smoke/smoke";
import { runJob } from "../../lambdas/shared/runtime/run-job";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import type { KmsEndpoint } from "../harness/kms-endpoint";
import { startKmsSellerChain, type KmsSellerChain } from "../harness/kms-seller-chain";
import { createOffer, setPaused, type FixtureDeployment, type SellerSetup } from "../harness/protocol-fixture";
import { startFixtureSubgraph, type SubgraphServer } from "../harness/subgraph-server";

let chain: KmsSellerChain;
let kms: KmsEndpoint;
let dynalite: Dynalite;
let fixture: FixtureDeployment;
let subgraph: SubgraphServer;
let seller: SellerSetup;
let clients: WriteClients;
let output: CapturedOutput;
let tables = 0;

beforeAll(async () => {
  [chain, dynalite] = await Promise.all([startKmsSellerChain({ depositWei: parseEther("1") }), startDynalite()]);
  ({ kms, fixture, seller } = chain);
  subgraph = await startFixtureSubgraph(chain.anvil.rpcUrl, fixture);
});
afterAll(async () => {
  await Promise.all([subgraph?.stop(), chain?.stop(), dynalite?.stop()]);
});
beforeEach(() => {
  output = captureStdout();
  subgraph.setLag(0);
  clients = chain.writeClients("smoke");
});
afterEach(() => output.restore());

async function deps(offerId: bigint, overrides: Partial<SmokeDeps> = {}): Promise<SmokeDeps> {
  const table = `smoke-${++tables}`;
  await dynalite.createTable(table);
  const logger = createJobLogger("smoke");
  return {
    config: { diamond: fixture.diamond, offerId, exchangeToken: "native", confirmations: 2, buyerPercent: 4000n },
    clients,
    subgraph: { url: subgraph.url, logger },
    logger,
    metrics: createJobMetrics("smoke", "test"),
    idempotent: createIdempotentRunner({
      tableName: table,
      client: dynalite.newClient(),
      logger,
      keyPrefix: "smoke.test",
    }),
    requestId: `smoke-run-${tables}`,
    sleep: chain.mineOnSleep,
    pollIntervalMs: 0,
    ...overrides,
  };
}

describe("smoke job", () => {
  it("runs both exchanges through the state machine, dispute path included, waiting for the subgraph after each write", async () => {
    const offerId = await createOffer(fixture, seller.sellerId, {
      price: parseEther("0.01"),
      sellerDeposit: parseEther("0.002"),
    });
    // The subgraph lags 3 blocks: every step has to wait for it to index the write.
    subgraph.setLag(3);
    kms.resetCounters();
    const outcome = await runJob(
      smokeJob,
      await deps(offerId, {
        config: { diamond: fixture.diamond, offerId, exchangeToken: "native", confirmations: 1, buyerPercent: 4000n },
      }),
    );

    expect(outcome.status).toBe("succeeded");
    expect(outcome.steps.map((step) => `${step.exchange}.${step.step}:${step.status}`)).toEqual([
      "A.commit:passed",
      "A.redeem:passed",
      "A.raiseDispute:passed",
      "A.resolveDispute:passed",
      "B.commit:passed",
      "B.redeem:passed",
      "B.completeExchange:passed",
    ]);
    for (const step of outcome.steps) {
      expect(step.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(step.durationMs).toBeGreaterThanOrEqual(0);
      expect(step.indexingMs).toBeGreaterThanOrEqual(0);
    }
    // O2: it asked the subgraph's head more than once per write (it had to wait).
    expect(subgraph.requests()._meta ?? 0).toBeGreaterThan(outcome.steps.length);

    const exchangeA = BigInt(outcome.steps[0]?.exchangeId ?? "0");
    const exchangeB = BigInt(outcome.steps[4]?.exchangeId ?? "0");
    const [, disputeA] = await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "getDispute",
      args: [exchangeA],
    });
    expect(disputeA).toMatchObject({ state: DisputeState.Resolved, buyerPercent: 4000n });
    const [, stateB] = await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "getExchangeState",
      args: [exchangeB],
    });
    expect(stateB).toBe(ExchangeState.Completed);
    // Seven transactions and one EIP-712 resolution, all signed by KMS.
    expect(kms.calls().Sign).toBe(8);
    expect(
      output
        .toolCalls()
        .some(
          (call) =>
            call.tool === "kms" && call.operation === "signTypedData" && call.exchangeId === exchangeA.toString(),
        ),
    ).toBe(true);
    expect(output.metricValues("SmokeStepDurationMs")).toHaveLength(7);
    expect(output.metricValues("SmokeStepFailed")).toEqual([]);
    expect(output.metricValues("JobSucceeded")).toEqual([1]);
    expect(output.metricValues("GasSpentWei")[0]).toBeGreaterThan(0);
  });

  it("reports the dispute steps as transient while the Disputes region is paused, and still completes exchange B", async () => {
    const offerId = await createOffer(fixture, seller.sellerId, { price: parseEther("0.01") });
    await setPaused(fixture, [PausableRegion.Disputes], true);
    try {
      const outcome = await runJob(smokeJob, await deps(offerId));
      expect(outcome.steps.map((step) => `${step.exchange}.${step.step}:${step.status}`)).toEqual([
        "A.commit:passed",
        "A.redeem:passed",
        "A.raiseDispute:failed",
        "A.resolveDispute:skipped",
        "B.commit:passed",
        "B.redeem:passed",
        "B.completeExchange:passed",
      ]);
      expect(outcome.steps[2]?.error).toMatchObject({ name: "RegionPausedError" });
      expect(outcome).toMatchObject({ status: "transient", reason: "region-paused" });
      expect(output.metricValues("SmokeStepFailed")).toEqual([1]);
      expect(output.metricValues("JobTransient")).toEqual([1]);
    } finally {
      await setPaused(fixture, [PausableRegion.Disputes], false);
    }
  });

  it("fails the step with the decoded custom error when the protocol reverts", async () => {
    const offerId = await createOffer(fixture, seller.sellerId, { price: parseEther("0.01"), quantity: 1n });
    const outcome = await runJob(
      smokeJob,
      await deps(offerId, {
        config: { diamond: fixture.diamond, offerId, exchangeToken: "native", confirmations: 1, buyerPercent: 10_000n },
      }),
    );
    // Exchange A takes the only item; B's commit reverts with OfferSoldOut.
    expect(outcome.steps.find((step) => step.exchange === "B" && step.step === "commit")).toMatchObject({
      status: "failed",
      error: { name: "ProtocolRevertError", errorName: "OfferSoldOut", functionName: "commitToOffer" },
    });
    expect(outcome.status).toBe("failed");
    expect(output.metricValues("JobFailed")).toEqual([1]);
    const record = output
      .toolCalls()
      .find((call) => call.operation === "simulate.commitToOffer" && call.outcome === "failed");
    expect(record?.error).toMatchObject({ errorName: "OfferSoldOut", args: [] });
  });
});
