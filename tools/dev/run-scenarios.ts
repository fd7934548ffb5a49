/**
 * Runs scenarios, each on a fresh world, and prints one verdict per scenario
 * (with how long it took, world start included) and, last,
 * `scenarios: N passed, N failed`. Returns the exit code.
 */
import { checks, ScenarioFailure, type Scenario } from "./scenario";
import { startWorld, type World } from "./world";
import { worldActions } from "./world-actions";

export async function runScenarios(
  selected: readonly Scenario[],
  io: { out: (line: string) => void; verbose: boolean; onWorld: (world: World | undefined) => void },
): Promise<number> {
  let passed = 0;
  let failed = 0;
  for (const scenario of selected) {
    io.out(`scenario ${scenario.name}: ${scenario.summary}`);
    let world: World | undefined;
    const started = performance.now();
    const took = () => `(${((performance.now() - started) / 1000).toFixed(1)} s)`;
    try {
      world = await startWorld({
        print: (line) => (io.verbose ? io.out(`  ${line}`) : undefined),
        // The first world's ready time counts from the process start, as the loop's own does.
        ...(passed + failed === 0 ? { startedAt: 0 } : {}),
      });
      io.onWorld(world);
      await scenario.run({ world, act: worldActions(world), check: checks(world) });
      passed++;
      io.out(`PASS ${scenario.name} ${took()}`);
    } catch (error) {
      failed++;
      const reason = error instanceof ScenarioFailure ? error.message : String((error as Error).stack ?? error);
      if (world && !io.verbose) for (const line of world.transcript) io.out(`  ${line}`);
      io.out(`FAIL ${scenario.name} ${took()}: ${reason}`);
    } finally {
      io.onWorld(undefined);
      await world?.stop();
    }
  }
  io.out(`scenarios: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
