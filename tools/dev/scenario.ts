/**
 * A scenario: a scripted world and what the operator must see. It runs on a
 * fresh world, acts through `WorldActions`, and asserts on the transcript
 * (the lines `npm run dev` prints) and on the local peers.
 */
import type { World } from "./world";
import type { WorldActions } from "./world-actions";

export type Scenario = {
  name: string;
  /** What the operator should see, in one line. */
  summary: string;
  run(context: { world: World; act: WorldActions; check: Checks }): Promise<void>;
};

export class ScenarioFailure extends Error {}

export type Checks = ReturnType<typeof checks>;

/** Assertions on what the operator saw; each failure says what was expected. */
export function checks(world: World) {
  const seen = (pattern: RegExp, from = 0) => world.transcript.slice(from).findIndex((line) => pattern.test(line));
  return {
    /** Marks the current end of the transcript, to assert on what comes after. */
    mark: () => world.transcript.length,
    saw(pattern: RegExp, from = 0): number {
      const index = seen(pattern, from);
      if (index < 0) throw new ScenarioFailure(`expected a line matching ${String(pattern)}`);
      return from + index;
    },
    didNotSee(pattern: RegExp, from = 0): void {
      const index = seen(pattern, from);
      if (index >= 0) throw new ScenarioFailure(`did not expect "${world.transcript[from + index]}"`);
    },
    alarm(name: string, state: "ALARM" | "OK"): void {
      const actual = world.alarms.state(name);
      if (actual !== state) throw new ScenarioFailure(`expected ${name} in ${state}, it is ${String(actual)}`);
    },
    that(condition: boolean, what: string): void {
      if (!condition) throw new ScenarioFailure(what);
    },
  };
}
