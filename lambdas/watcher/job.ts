import type { JobOutcome } from "../shared/runtime/outcome";
import type { Job, JobReporting } from "../shared/runtime/run-job";
import { runWatcher, type WatcherDeps, type WatcherRunResult } from "./watcher";
import { watcherRunOutcome } from "./run-outcome";

/** The run's result with block numbers as strings: Lambda serialises the return value as JSON (no bigint). */
export type WatcherRunSummary = Omit<WatcherRunResult, "head" | "finalBlock" | "fromBlock" | "toBlock"> & {
  head: string;
  finalBlock: string;
  fromBlock?: string;
  toBlock?: string;
};

export function summarise(result: WatcherRunResult): WatcherRunSummary {
  const { fromBlock, toBlock, ...rest } = result;
  return {
    ...rest,
    head: result.head.toString(),
    finalBlock: result.finalBlock.toString(),
    ...(fromBlock !== undefined ? { fromBlock: fromBlock.toString() } : {}),
    ...(toBlock !== undefined ? { toBlock: toBlock.toString() } : {}),
  };
}

/** A failed run has no summary: its checkpoint has not moved, so the next run repeats the range. */
export type WatcherOutcome = JobOutcome & Partial<WatcherRunSummary>;

export const watcherJob: Job<WatcherDeps & JobReporting, WatcherOutcome> = {
  name: "watcher",
  run: async (deps) => {
    const result = await runWatcher(deps);
    return { ...watcherRunOutcome(result), ...summarise(result) };
  },
  failed: (outcome) => outcome,
};
