import type { Release, SmokeReleaseRecord } from "../../lambdas/contract/release";

/** A smoke record as the staging smoke job leaves it after a run where every step passed. */
export function passingSmokeRecord(stack: string, release: Release, configId = "staging-80002-0"): SmokeReleaseRecord {
  return {
    stack,
    configId,
    release,
    passed: true,
    steps: [
      { exchange: "A", step: "commit", status: "passed", blockNumber: "101" },
      { exchange: "A", step: "redeem", status: "passed", blockNumber: "104" },
      { exchange: "B", step: "completeExchange", status: "passed", blockNumber: "120" },
    ],
    startedAt: "2026-11-30T10:00:00.000Z",
    finishedAt: "2026-11-30T10:04:00.000Z",
  };
}
