import type { JobOutcome } from "../shared/runtime/outcome";
import type { WatcherRunResult } from "./watcher";

/** A run overtaken by an overlapping one is transient (the other run carries on): a metric, not a page, and no dead letter. */
export function watcherRunOutcome(result: Pick<WatcherRunResult, "caughtUp" | "overtaken">): JobOutcome {
  if (result.overtaken) return { status: "transient", reason: "overtaken" };
  return { status: "succeeded", reason: result.caughtUp ? "caught-up" : "catching-up" };
}
