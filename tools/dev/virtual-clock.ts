/**
 * The loop's one clock: schedules, alarm periods, anvil's block time and the
 * handlers' clocks (through clock-shim.cjs) all read it. It runs with real
 * time plus an offset; a scenario jumps it forward and anvil follows.
 */
import type { FixtureDeployment } from "../../test/harness/protocol-fixture";

export type VirtualClock = {
  /** Virtual now, in milliseconds since the epoch. */
  now(): number;
  /** How far virtual time is ahead of real time (passed to the job processes). */
  offsetMs(): number;
  /** Moves virtual time forward and mines an anvil block at the new time. */
  advance(seconds: number): Promise<void>;
};

export async function startVirtualClock(fixture: FixtureDeployment): Promise<VirtualClock> {
  let offset = 0;
  // Anvil's next block takes the virtual time, so block timestamps and Date agree from the first run.
  const sync = async () => {
    const target = BigInt(Math.floor((Date.now() + offset) / 1000));
    const head = await fixture.publicClient.getBlock();
    if (target > head.timestamp) await fixture.testClient.setNextBlockTimestamp({ timestamp: target });
    await fixture.testClient.mine({ blocks: 1 });
  };
  await sync();
  return {
    now: () => Date.now() + offset,
    offsetMs: () => offset,
    advance: async (seconds) => {
      offset += seconds * 1000;
      await sync();
    },
  };
}
