import {
  IdempotencyAlreadyInProgressError,
  IdempotencyItemAlreadyExistsError,
} from "@aws-lambda-powertools/idempotency";
import { describe, expect, it } from "vitest";
import type { RpcUsage } from "../../lambdas/shared/chain/clients";
import { RegionPausedError } from "../../lambdas/shared/chain/paused-regions";
import type { JobMetrics } from "../../lambdas/shared/runtime/metrics";
import { outcomeOfError, type JobOutcome } from "../../lambdas/shared/runtime/outcome";
import { runJob, type Job } from "../../lambdas/shared/runtime/run-job";
import { silentLogger } from "../harness/watcher-fakes";

type Recorded = { name: string; value: number } | "flush";

function reporting() {
  const recorded: Recorded[] = [];
  const metrics = {
    add: (name, value) => void recorded.push({ name, value }),
    flush: () => void recorded.push("flush"),
  } as Pick<JobMetrics, "add" | "flush"> as JobMetrics;
  const usage: RpcUsage = {
    answered: { primary: 0, fallback: 3 },
    failed: { primary: 0, fallback: 0 },
    httpRequests: 0,
  };
  return { recorded, deps: { logger: silentLogger("withdraw"), metrics, clients: { usage } } };
}

type Outcome = JobOutcome & { items: number[] };

const job = (
  run: (deps: ReturnType<typeof reporting>["deps"]) => Promise<Outcome>,
): Job<ReturnType<typeof reporting>["deps"], Outcome> => ({
  name: "withdraw",
  run,
  failed: (outcome) => ({ ...outcome, items: [] }),
});

describe("runJob", () => {
  it("returns the job's outcome after recording its metric and flushing once, last", async () => {
    const { recorded, deps } = reporting();
    const outcome = await runJob(
      job(async () => ({ status: "succeeded", reason: "withdrawn", items: [1] })),
      deps,
    );
    expect(outcome).toEqual({ status: "succeeded", reason: "withdrawn", items: [1] });
    expect(recorded).toEqual([{ name: "JobSucceeded", value: 1 }, "flush"]);
  });

  it("counts the answers the fallback RPC gave during the run only", async () => {
    const { recorded, deps } = reporting();
    await runJob(
      job(async ({ clients }) => {
        clients.usage.answered.fallback += 2;
        return { status: "succeeded", items: [] };
      }),
      deps,
    );
    expect(recorded).toEqual([{ name: "RpcFallbackUsed", value: 2 }, { name: "JobSucceeded", value: 1 }, "flush"]);
  });

  it("reports a transient error as a transient outcome with the job's empty fields", async () => {
    const { recorded, deps } = reporting();
    const outcome = await runJob(
      job(async () => {
        throw new RegionPausedError("withdrawFunds", "Funds");
      }),
      deps,
    );
    expect(outcome).toMatchObject({
      status: "transient",
      reason: "region-paused",
      items: [],
      error: { name: "RegionPausedError" },
    });
    expect(recorded).toEqual([{ name: "JobTransient", value: 1 }, "flush"]);
  });

  it("knows Powertools Idempotency's in-progress error (by the name its class sets) as transient", async () => {
    const { recorded, deps } = reporting();
    const outcome = await runJob(
      job(async () => {
        throw new IdempotencyAlreadyInProgressError("another invocation holds this key");
      }),
      deps,
    );
    expect(outcome).toMatchObject({ status: "transient", reason: "in-progress", items: [] });
    expect(recorded).toEqual([{ name: "JobTransient", value: 1 }, "flush"]);
    // Any other error named differently stays a failure.
    expect(outcomeOfError(new IdempotencyItemAlreadyExistsError("exists")).status).toBe("failed");
  });

  it("reports any other error as a failed run, and a failed outcome the job returns the same way", async () => {
    const thrown = reporting();
    const outcome = await runJob(
      job(async () => {
        throw new Error("boom\nstack details");
      }),
      thrown.deps,
    );
    expect(outcome).toEqual({
      status: "failed",
      reason: "error",
      error: { name: "Error", message: "boom" },
      items: [],
    });
    expect(thrown.recorded).toEqual([{ name: "JobFailed", value: 1 }, "flush"]);

    const returned = reporting();
    await runJob(
      job(async () => ({ status: "failed", reason: "reads-failed", items: [] })),
      returned.deps,
    );
    expect(returned.recorded).toEqual([{ name: "JobFailed", value: 1 }, "flush"]);
  });
});
