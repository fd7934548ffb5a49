import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther, zeroAddress, type Address } from "viem";
import { createWriteClients } from "../../lambdas/shared/chain/clients";
import { kmsAccount } from "../../lambdas/shared/kms-account/account";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { withdrawJob } from "../../lambdas/withdraw/withdraw";
import { runJob } from "../../lambdas/shared/runtime/run-job";
import { readSeller } from "../../tools/rotate-signer/chain";
import { rotationSteps } from "../../tools/rotate-signer/steps";
import { walkRotation, type RotationDeps, type SignerGenerations } from "../../tools/rotate-signer/walk";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import { startFixtureSubgraph, type SubgraphServer } from "../harness/subgraph-server";
import { withdrawTestDeps } from "../harness/withdraw-deps";
import { captureStdout } from "../harness/job-output";
import { startKmsSellerChain, type KmsSellerChain } from "../harness/kms-seller-chain";
import { depositFunds } from "../harness/protocol-fixture";

describe("rotate-signer, end to end on the protocol fixture", () => {
  let chain: KmsSellerChain;
  let dynalite: Dynalite;
  let subgraph: SubgraphServer;
  let runs = 0;
  beforeAll(async () => {
    [chain, dynalite] = await Promise.all([startKmsSellerChain(), startDynalite()]);
    subgraph = await startFixtureSubgraph(chain.anvil.rpcUrl, chain.fixture);
  });
  afterAll(async () => {
    await Promise.all([subgraph?.stop(), chain?.stop(), dynalite?.stop()]);
  });

  /** The withdraw job as deployed: it signs with the key of the generation the config names. */
  async function withdrawWith(
    keyId: string,
    rotationAddress?: Address,
  ): Promise<{ status: string; reason?: string; signatures: number; signer: Address; failed: number; errors: number }> {
    await depositFunds(chain.fixture, chain.seller.sellerId, zeroAddress, parseEther("1"));
    let signatures = 0;
    const account = await kmsAccount({ keyId, client: chain.kms.client(), onSignature: () => signatures++ });
    const logger = createJobLogger("withdraw");
    const table = `rotation-${++runs}`;
    await dynalite.createTable(table);
    const output = captureStdout();
    try {
      const outcome = await runJob(
        withdrawJob,
        withdrawTestDeps({
          fixture: chain.fixture,
          seller: chain.seller,
          clients: createWriteClients({
            chainId: chain.anvil.chain.id,
            urls: { primary: chain.anvil.rpcUrl },
            logger,
            account,
            pollingIntervalMs: 20,
          }),
          tokens: [
            { address: zeroAddress, symbol: "ETH", withdrawThresholdWei: parseEther("0.5"), reserveMarginWei: 0n },
          ],
          table,
          dynamo: dynalite.newClient(),
          subgraphUrl: subgraph.url,
          requestId: `rotation-${runs}`,
          sleep: chain.mineOnSleep,
          config: { confirmations: 1, ...(rotationAddress ? { rotationAddress } : {}) },
        }),
      );
      return {
        status: outcome.status,
        ...(outcome.reason ? { reason: outcome.reason } : {}),
        signatures,
        signer: account.address,
        // What would page: a failed run (the job-failed alarm) or an ERROR record (an alert).
        failed: output.metricValues("JobFailed").length,
        errors: output.lines().filter((line) => line.level === "ERROR").length,
      };
    } finally {
      output.restore();
    }
  }

  it("walks every step, resumes after each, and no job signs with a key the protocol does not accept", async () => {
    const keys = new Map<number, string>([[1, chain.account.keyId]]);
    let config: SignerGenerations = { generation: 1, pendingGeneration: undefined, retiredGenerations: [] };
    const log: string[] = [];
    const deps: RotationDeps = {
      stack: "production",
      chain: {
        client: chain.fixture.publicClient,
        rpcUrl: chain.anvil.rpcUrl,
        diamond: chain.fixture.diamond,
        sellerId: chain.seller.sellerId,
      },
      kms: chain.kms.client(),
      keyOf: (generation) => keys.get(generation),
      config: () => config,
      log: (line) => log.push(line),
    };
    const assistant = async () =>
      (await readSeller(chain.fixture.publicClient, chain.fixture.diamond, chain.seller.sellerId)).seller.assistant;
    /** The job as deployed: the active key, and the pending key's address while a rotation is pending. */
    const deployedWithdraw = async () => {
      const pending = config.pendingGeneration === undefined ? undefined : keys.get(config.pendingGeneration);
      const rotationAddress =
        pending === undefined ? undefined : (await kmsAccount({ keyId: pending, client: chain.kms.client() })).address;
      return withdrawWith(keys.get(config.generation) as string, rotationAddress);
    };
    /** After each stop: the job with the configured key signs only if the protocol accepts that key, and nothing pages. */
    const jobIsSafe = async () => {
      const run = await deployedWithdraw();
      const accepted = run.signer === (await assistant());
      if (accepted) expect(run).toMatchObject({ status: "succeeded" });
      else expect(run).toMatchObject({ status: "transient", reason: "rotation-gap", signatures: 0 });
      expect(run).toMatchObject({ failed: 0, errors: 0 });
      return accepted;
    };

    // Before: the current assistant signs.
    expect(await jobIsSafe()).toBe(true);
    const oldAddress = chain.account.address;

    // 1. The new key: a deploy step; the walk stops and prints the config command.
    let result = await walkRotation(deps);
    expect(result.stoppedAt?.id).toBe("new-key");
    expect(log.join("\n")).toContain(
      "pulumi config set --path 'boson-kit:signer.pendingGeneration' 2 --stack production",
    );
    const { keyId: newKeyId } = chain.kms.createKey();
    keys.set(2, newKeyId);
    config = { ...config, pendingGeneration: 2 };
    expect(await jobIsSafe()).toBe(true);

    // 2. The admin's updateSeller: printed with its calldata, then sent by the admin.
    result = await walkRotation(deps);
    expect(result.stoppedAt?.id).toBe("update-seller");
    const printed = /sends: to (0x[0-9a-fA-F]{40}), value 0, data (0x[0-9a-f]+)/.exec(log.join("\n"));
    expect(printed?.[1]).toBe(chain.fixture.diamond);
    const hash = await chain.fixture.deployer.sendTransaction({
      to: chain.fixture.diamond,
      data: printed?.[2] as `0x${string}`,
    });
    await chain.fixture.publicClient.waitForTransactionReceipt({ hash });
    // Pending: the old key is still the assistant and still signs.
    expect(await jobIsSafe()).toBe(true);

    // 3-4. Opt-in (signed by the new key) and the gas move happen in the walk; it stops at the deploy that switches the jobs.
    result = await walkRotation(deps);
    expect(result.stoppedAt?.id).toBe("switch-jobs");
    const newAddress = await assistant();
    expect(newAddress).not.toBe(oldAddress);
    expect(await chain.fixture.publicClient.getBalance({ address: oldAddress })).toBeLessThan(parseEther("0.001"));
    // The gap: the jobs still hold the old key, which the protocol no longer accepts; they must not sign.
    expect(await jobIsSafe()).toBe(false);
    // Running again here changes nothing on chain: it stops at the same deploy.
    result = await walkRotation(deps);
    expect(result.stoppedAt?.id).toBe("switch-jobs");
    expect(log.join("\n")).toContain(
      `pulumi config set --path 'boson-kit:signer.address' ${newAddress} --stack production`,
    );

    // 5-6. The deploy switches the jobs, pins the address and disables the old key.
    config = { generation: 2, pendingGeneration: undefined, retiredGenerations: [1] };
    chain.kms.setKeyState(chain.account.keyId, "Disabled");
    result = await walkRotation(deps);
    expect(result.complete).toBe(true);
    expect(result.steps.every((step) => step.done)).toBe(true);

    // After: the new assistant signs.
    const after = await withdrawWith(newKeyId);
    expect(after).toMatchObject({ status: "succeeded", signer: newAddress });
  });

  it("marks steps done from state alone (idempotent after any step)", () => {
    const base = {
      generation: 1,
      pendingGeneration: 2,
      retiredGenerations: [],
      oldAddress: zeroAddress,
      newAddress: "0x00000000000000000000000000000000000000b2" as Address,
      sellerAssistant: zeroAddress,
      pendingForNewAddress: true,
      oldBalanceWei: 10n,
      dustWei: 1n,
      oldKeyEnabled: true,
    };
    expect(rotationSteps(base).map((step) => step.done)).toEqual([true, true, false, false, false, false]);
    expect(
      rotationSteps({ ...base, pendingGeneration: undefined, newAddress: undefined, pendingForNewAddress: false }).map(
        (step) => step.done,
      ),
    ).toEqual([false, false, false, false, false, false]);
  });
});
