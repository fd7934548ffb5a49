/**
 * Every Lambda the kit deploys (`lambdas/<job>/handler.ts`), bundled in one
 * esbuild run as soon as the stack's evaluation process (stack-child.ts)
 * starts. The evaluation waits for every bundle (each function's code and
 * release identity); on a fresh clone, building them together while Pulumi
 * and the program load is most of the cold start saved.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { bundleJobs } from "../../infra/build/bundle";

const lambdas = join(__dirname, "..", "..", "lambdas");

/** The jobs with a handler under lambdas/, e.g. withdraw, health, watcher, smoke, shipper. */
export function handlerJobs(): string[] {
  return readdirSync(lambdas)
    .filter((entry) => existsSync(join(lambdas, entry, "handler.ts")))
    .sort();
}

/**
 * Starts the bundles; the stack evaluation's `bundleJob` calls share them.
 * Resolves with the milliseconds they took; a build error surfaces where a
 * bundle is used, so this promise never rejects.
 */
export function startJobBundles(): Promise<number | undefined> {
  const started = performance.now();
  return bundleJobs(handlerJobs()).then(
    () => Math.round(performance.now() - started),
    () => undefined,
  );
}
