/**
 * `npm run dev`: the kit's whole operational loop on this machine, before
 * any cloud account. Starts the local peers and the `local` stack's jobs on
 * their schedules and prints each run and every alarm transition, until
 * Ctrl-C. `npm run dev -- --scenario <name>|all` runs scripted worlds
 * instead and exits 0 when every one shows the operator what it should.
 */
import { parseArgs } from "node:util";
import { runScenarios } from "./dev/run-scenarios";
import { scenarios } from "./dev/scenarios";
import type { World } from "./dev/world";
import { startWorld } from "./dev/world";

const usage = `usage: npm run dev [-- --scenario <name>[,<name>...]|all [--verbose]]\nscenarios: ${scenarios.map((scenario) => scenario.name).join(", ")}`;

async function main(argv: readonly string[]): Promise<number> {
  let values: { scenario?: string | undefined; verbose?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { scenario: { type: "string" }, verbose: { type: "boolean" }, help: { type: "boolean" } },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 64;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let current: World | undefined;
  let stopping = false;
  // Ctrl-C / SIGTERM: stop the job processes and every peer, then exit.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      stopping = true;
      console.log(`${signal}: stopping`);
      void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  if (values.scenario !== undefined) {
    const names = values.scenario === "all" ? scenarios.map((scenario) => scenario.name) : values.scenario.split(",");
    const unknown = names.filter((name) => !scenarios.some((scenario) => scenario.name === name));
    if (unknown.length > 0) {
      console.error(`unknown scenario: ${unknown.join(", ")}\n${usage}`);
      return 64;
    }
    return runScenarios(
      scenarios.filter((scenario) => names.includes(scenario.name)),
      { out: (line) => console.log(line), verbose: values.verbose === true, onWorld: (world) => (current = world) },
    );
  }
  current = await startWorld({ print: (line) => console.log(line) });
  while (!stopping) {
    await current.runDue();
    await new Promise((resolve) => setTimeout(resolve, Math.max(250, current?.msUntilNextRun() ?? 1000)));
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
