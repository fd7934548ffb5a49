/**
 * How long the offline evaluation takes, and how big the Lambda bundles are:
 * `npx tsx bench/plan.ts`. Goals: under 5 s per stack in-process, and every
 * bundle under 1 MB minified. The first evaluation in a process also loads
 * the provider SDK's modules; bundling is timed apart.
 * Run by hand; prints tables, asserts nothing.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { bundleJob } from "../infra/build/bundle";
import { committedStacks } from "../infra/offline/stack-file";
import { evaluateStack } from "../infra/offline/evaluate";
import { markdownTable } from "./markdown-table";

const stackGoalMs = 5_000;
const bundleGoalBytes = 1024 * 1024;

const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Every Lambda entry point the program may bundle: `lambdas/<name>/handler.ts`. */
function bundledLambdas(): string[] {
  const root = join(__dirname, "..", "lambdas");
  return readdirSync(root).filter((name) => existsSync(join(root, name, "handler.ts")));
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

async function main(): Promise<void> {
  // Bundling happens once per process, inside the first evaluation; timed apart so the stacks compare fairly.
  const lambdas = bundledLambdas();
  const bundling = await timed(() => Promise.all(lambdas.map((name) => bundleJob(name))));

  const stackRows: string[][] = [];
  for (const stack of committedStacks()) {
    const first = await timed(() => evaluateStack(stack));
    const again = await timed(() => evaluateStack(stack));
    const custom = first.result.resources.filter((resource) => resource.custom).length;
    stackRows.push([
      stack,
      `${first.ms.toFixed(0)} ms`,
      `${again.ms.toFixed(0)} ms`,
      String(custom),
      first.ms < stackGoalMs ? "yes" : "NO",
    ]);
  }
  console.log(
    `Evaluating each stack in-process with mocks (bundling ${lambdas.length} Lambdas first: ${bundling.ms.toFixed(0)} ms, once per process)\n`,
  );
  console.log(
    markdownTable(
      ["stack", "first evaluation", "second evaluation", "resources", `< ${stackGoalMs / 1000} s`],
      stackRows,
    ),
  );

  const bundleRows = bundling.result.map((built) => {
    const bytes = Buffer.byteLength(built.code);
    return [
      built.job,
      kilobytes(bytes),
      kilobytes(Buffer.byteLength(built.sourceMap)),
      bytes < bundleGoalBytes ? "yes" : "NO",
    ];
  });
  console.log("\nLambda bundles (esbuild: minified CommonJS, node22, AWS SDK external)\n");
  console.log(markdownTable(["lambda", "index.js", "index.js.map", "< 1 MB"], bundleRows));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
