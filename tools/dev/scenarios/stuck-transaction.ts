import { parseEther, parseGwei, type Address, type Hex } from "viem";
import { environmentVariables } from "../../../lambdas/contract";
import { lifecyclePolicy, type LifecycleSettings } from "../../../lambdas/shared/chain/lifecycle/policy";
import { depositFunds, type FixtureDeployment } from "../../../test/harness/protocol-fixture";
import { ScenarioFailure, type Scenario } from "../scenario";
import type { World } from "../world";

/**
 * The chain does nothing on its own here: automine is off and the scenario
 * mines each block itself, so what the job sees depends on the order of
 * events, never on how fast this machine runs. The job's transaction waits in
 * the pool; the next blocks carry a base fee ten times the one it was priced
 * at, as many of them as the stack's `stuckAfterBlocks`; then no block comes
 * until the job has replaced it at the same nonce, and blocks come again until
 * the run ends (its confirmations).
 */
export const stuckTransaction: Scenario = {
  name: "stuck-transaction",
  summary:
    "the withdrawal is underpriced when the base fee jumps: the lifecycle replaces it at the same nonce with higher fees, and one version is mined",
  async run({ world, act, check }) {
    const { fixture, seller, relayer, signer } = world.peers;
    await world.runDue();
    // Sent by the assistant itself, so the kit's own lifecycle handles it.
    relayer.mode = "down";
    await depositFunds(fixture, seller.id, "0x0000000000000000000000000000000000000000", parseEther("0.02"));
    await act.mine(1);
    const stuckAfterBlocks = withdrawLifecycle(world).stuckAfterBlocks;
    const mark = check.mark();
    await fixture.testClient.setAutomine(false);
    let settled = false;
    let run: Promise<unknown> = Promise.resolve();
    try {
      await world.clock.advance(3600); // the withdrawal is due; mines one block at the new time
      run = world.runNow("withdraw").finally(() => (settled = true));
      const sent = await until(() => pooled(fixture, signer), "the job's transaction in the pool");
      const baseFee = (await fixture.publicClient.getBlock()).baseFeePerGas ?? parseGwei("1");
      for (let block = 0; block < stuckAfterBlocks; block++) {
        await fixture.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: baseFee * 10n });
        await fixture.testClient.mine({ blocks: 1 });
      }
      check.that(
        (await fixture.publicClient.getTransactionReceipt({ hash: sent.hash }).catch(() => undefined)) === undefined,
        "the underpriced transaction stays unmined while the base fee is high",
      );
      const replacement = await until(async () => {
        const now = await pooled(fixture, signer);
        return now && now.nonce === sent.nonce && now.hash !== sent.hash ? now : undefined;
      }, `a replacement at nonce ${sent.nonce} after ${stuckAfterBlocks} blocks`);
      for (let blocks = 0; !settled; blocks++) {
        if (blocks > 64) throw new ScenarioFailure("the withdraw run did not end within 64 blocks of its replacement");
        await fixture.testClient.mine({ blocks: 1 });
        await Promise.race([run, new Promise((resolve) => setTimeout(resolve, 100))]);
      }
      const mined = await fixture.publicClient.getTransactionReceipt({ hash: replacement.hash });
      check.that(mined.status === "success", "the replacement is mined and succeeds");
    } finally {
      await run.catch(() => undefined);
      await fixture.testClient.setAutomine(true);
    }
    check.saw(/withdraw +succeeded reason=withdrawn .*txHash=0x[0-9a-f]{64}/, mark);
    const replaced = world.runs
      .flatMap((candidate) => candidate.lines)
      .filter((line) => (line.toolCall as { operation?: string } | undefined)?.operation === "lifecycle.replace");
    check.that(replaced.length === 1, `the stuck transaction was replaced once (${replaced.length} lifecycle.replace)`);
  },
};

function withdrawLifecycle(world: World): ReturnType<typeof lifecyclePolicy> {
  const job = world.stack.jobs.find((candidate) => candidate.job === "withdraw");
  const settings = job?.environment[environmentVariables.txLifecycle];
  return lifecyclePolicy(settings === undefined ? {} : (JSON.parse(settings) as LifecycleSettings));
}

/** The signer's pending transaction in anvil's pool, if any. */
async function pooled(fixture: FixtureDeployment, signer: Address): Promise<{ nonce: number; hash: Hex } | undefined> {
  const content = await fixture.testClient.getTxpoolContent();
  const entry = Object.entries(content.pending).find(([from]) => from.toLowerCase() === signer.toLowerCase());
  const [nonce, transaction] = Object.entries(entry?.[1] ?? {})[0] ?? [];
  return transaction ? { nonce: Number(nonce), hash: transaction.hash } : undefined;
}

/**
 * Waits for something the job does (it runs in its own process). The limit
 * only turns a job that never acts into a failure instead of a hang; no step
 * depends on it.
 */
async function until<T>(probe: () => Promise<T | undefined>, what: string, limitMs = 120_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new ScenarioFailure(`expected ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
