/**
 * `npm run dev`: the kit's whole operational loop on this machine, before
 * any cloud account. Starts the local peers and the `local` stack's jobs on
 * their schedules and prints each run and every alarm transition, until
 * Ctrl-C. `npm run dev -- --scenario <name>|all` runs scripted worlds
 * instead and exits 0 when every one shows the operator what it should.
 */
import { parseArgs } from "node:util";
import { localStack } from "./dev/stack-process";
import type { World } from "./dev/world";

const usage = (names: readonly string[]) =>
  `usage: npm run dev [-- --scenario <name>[,<name>...]|all [--verbose]]\nscenarios: ${names.join(", ")}`;

async function main(argv: readonly string[]): Promise<number> {
  let values: { scenario?: string | undefined; verbose?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { scenario: { type: "string" }, verbose: { type: "boolean" }, help: { type: "boolean" } },
      strict: true,
    }));
  } catch (error) {
    const { scenarios } = await import("./dev/scenarios/index.js");
    console.error(`${(error as Error).message}\n${usage(scenarios.map((scenario) => scenario.name))}`);
    return 64;
  }
  let current: World | undefined;
  let stopping = false;
  // Ctrl-C / SIGTERM: stop the job processes and every peer, then exit. Installed before anything
  // starts: during startup, exiting ends what has started (anvil and the stack's evaluation end with this process).
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      stopping = true;
      console.log(`${signal}: stopping`);
      void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  // The stack evaluates (and the jobs bundle) in a child process while this one loads the loop,
  // imported late on purpose, and starts the peers.
  if (!values.help) void localStack().catch(() => undefined); // a failure surfaces where the world awaits it
  const [{ scenarios }, { runScenarios }, { startWorld }] = await Promise.all([
    import("./dev/scenarios/index.js"),
    import("./dev/run-scenarios.js"),
    import("./dev/world.js"),
  ]);
  const names = scenarios.map((scenario) => scenario.name);
  if (values.help) {
    console.log(usage(names));
    return 0;
  }
  if (values.scenario !== undefined) {
    const selected = values.scenario === "all" ? names : values.scenario.split(",");
    const unknown = selected.filter((name) => !names.includes(name));
    if (unknown.length > 0) {
      console.error(`unknown scenario: ${unknown.join(", ")}\n${usage(names)}`);
      return 64;
    }
    return runScenarios(
      scenarios.filter((scenario) => selected.includes(scenario.name)),
      { out: (line) => console.log(line), verbose: values.verbose === true, onWorld: (world) => (current = world) },
    );
  }
  current = await startWorld({ print: (line) => console.log(line), startedAt: 0 });
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
