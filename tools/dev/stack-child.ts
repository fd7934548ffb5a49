/**
 * The local stack's evaluation in its own process (forked by
 * stack-process.ts), so Pulumi and the program load and the jobs bundle on
 * another core while `npm run dev` starts the peers. Sends the loop what it
 * takes from the stack and the scheduled jobs' bundles, then exits.
 */
import type { StackMessage } from "./stack-process";

// Pulumi records a stack trace for every resource it registers; with tsx's source maps on, mapping
// them costs about as much as the evaluation itself. Errors keep their messages.
process.setSourceMapsEnabled(false);

// The loop that forked this process is gone (Ctrl-C, a crash): nothing is left to evaluate for.
// Listened to before the heavy modules load (imported below, not at the top), so a Ctrl-C during startup ends this process at once.
process.on("disconnect", () => process.exit(1));

async function evaluate(): Promise<StackMessage> {
  // The bundles first: esbuild builds them in its own process while Pulumi and the program load here.
  const { startJobBundles } = await import("./job-bundles.js");
  const bundling = startJobBundles();
  const [{ bundleJob }, { loadLocalStack }] = await Promise.all([
    import("../../infra/build/bundle.js"),
    import("./local-stack.js"),
  ]);
  const stack = await loadLocalStack();
  const bundles = Object.fromEntries(
    await Promise.all(stack.jobs.map(async (job) => [job.job, (await bundleJob(job.job)).code] as const)),
  );
  return { stack, bundles, bundlesMs: await bundling };
}

void evaluate().then(
  (message) => process.send?.(message, () => process.exit(0)),
  (error: unknown) =>
    process.send?.({ error: error instanceof Error ? error.message : String(error) } satisfies StackMessage, () =>
      process.exit(1),
    ),
);
