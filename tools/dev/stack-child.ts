/**
 * The local stack's evaluation in its own process (forked by
 * stack-process.ts), so Pulumi and the program load and the jobs bundle on
 * another core while `npm run dev` starts the peers. Sends the loop what it
 * takes from the stack and the scheduled jobs' bundles, then exits.
 */
import { bundleJob } from "../../infra/build/bundle";
import { startJobBundles } from "./job-bundles";
import { loadLocalStack } from "./local-stack";
import type { StackMessage } from "./stack-process";

async function evaluate(): Promise<StackMessage> {
  const bundling = startJobBundles();
  const stack = await loadLocalStack();
  const bundles = Object.fromEntries(
    await Promise.all(stack.jobs.map(async (job) => [job.job, (await bundleJob(job.job)).code] as const)),
  );
  return { stack, bundles, bundlesMs: await bundling };
}

// The loop that forked this process is gone (Ctrl-C, a crash): nothing is left to evaluate for.
process.on("disconnect", () => process.exit(1));

void evaluate().then(
  (message) => process.send?.(message, () => process.exit(0)),
  (error: unknown) =>
    process.send?.({ error: error instanceof Error ? error.message : String(error) } satisfies StackMessage, () =>
      process.exit(1),
    ),
);
