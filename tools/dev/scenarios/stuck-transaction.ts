import { parseEther, parseGwei } from "viem";
import { depositFunds } from "../../../test/harness/protocol-fixture";
import type { Scenario } from "../scenario";

export const stuckTransaction: Scenario = {
  name: "stuck-transaction",
  summary:
    "the withdrawal is underpriced when the base fee jumps: the lifecycle replaces it at the same nonce with higher fees, and one version is mined",
  async run({ world, act, check }) {
    const { fixture, seller, relayer } = world.peers;
    await world.runDue();
    // Sent by the assistant itself, so the kit's own lifecycle handles it.
    relayer.setDown(true);
    await depositFunds(fixture, seller.id, "0x0000000000000000000000000000000000000000", parseEther("0.02"));
    await act.mine(1);
    // The job's transaction waits in the pool; as soon as it is there, the next block's base fee
    // jumps to ten times the current one (above what the job offered) and blocks come once a second.
    await fixture.testClient.setAutomine(false);
    const baseFee = (await fixture.publicClient.getBlock()).baseFeePerGas ?? parseGwei("1");
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const pool = (await fixture.testClient.getTxpoolStatus()) as { pending: number };
        if (pool.pending > 0) {
          await fixture.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: baseFee * 10n });
          await fixture.testClient.setIntervalMining({ interval: 1 });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const mark = check.mark();
    try {
      await world.advance(3600);
      for (
        let attempt = 0;
        attempt < 3 && !world.transcript.slice(mark).some((line) => /withdraw +succeeded reason=withdrawn/.test(line));
        attempt++
      )
        await world.advance(3600);
    } finally {
      watching = false;
      await watcher;
      await fixture.testClient.setIntervalMining({ interval: 0 });
      await fixture.testClient.setAutomine(true);
    }
    check.saw(/withdraw +succeeded reason=withdrawn .*txHash=0x[0-9a-f]{64}/, mark);
    const run = world.runs.filter((candidate) => candidate.job === "withdraw").at(-1);
    const replaced = world.runs
      .flatMap((candidate) => candidate.lines)
      .filter((line) => (line.toolCall as { operation?: string } | undefined)?.operation === "lifecycle.replace");
    check.that(replaced.length > 0, "the stuck transaction was replaced (a lifecycle.replace record)");
    check.that(run !== undefined, "the withdraw job ran");
  },
};
