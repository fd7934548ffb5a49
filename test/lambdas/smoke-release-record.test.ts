import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Release } from "../../lambdas/contract/release";
import { smokeReleaseRecord, storeSmokeReleaseRecord } from "../../lambdas/smoke/release-record";
import type { SmokeOutcome, SmokeStep } from "../../lambdas/smoke/smoke";
import { readSmokeRecordFromTable } from "../../tools/promote/release-check";
import { startDynalite, type Dynalite } from "../harness/dynalite";

/**
 * The smoke job's record for the promotion gate: what it says about a run,
 * and the round trip through DynamoDB (the job's PutItem, the gate's GetItem)
 * with the real SDK against dynalite.
 */

const identity = {
  bundleSha256: "ab".repeat(32),
  lockfileSha256: "cd".repeat(32),
  runtime: "nodejs22.x",
  runtimeVersion: "auto",
  architecture: "arm64",
  handler: "index.handler",
  memorySizeMb: 512,
  timeoutSeconds: 900,
};
const release: Release = { smoke: identity, withdraw: { ...identity, timeoutSeconds: 300 } };

const step = (exchange: "A" | "B", name: SmokeStep["step"], status: SmokeStep["status"]): SmokeStep => ({
  exchange,
  step: name,
  status,
  durationMs: 10,
  ...(status === "passed" ? { txHash: `0x${"1".repeat(64)}`, blockNumber: "42" } : {}),
});

function record(outcome: SmokeOutcome) {
  return smokeReleaseRecord({
    stack: "staging",
    configId: "staging-80002-0",
    release,
    outcome,
    startedAt: new Date("2026-12-01T00:00:00Z"),
    finishedAt: new Date("2026-12-01T00:03:00Z"),
  });
}

let dynalite: Dynalite;
beforeAll(async () => {
  dynalite = await startDynalite(["checkpoints"]);
});
afterAll(async () => {
  await dynalite?.stop();
});

describe("the smoke job's release record", () => {
  it("passes only when the run succeeded and every step passed", () => {
    const steps = [step("A", "commit", "passed"), step("B", "completeExchange", "passed")];
    expect(record({ status: "succeeded", steps }).passed).toBe(true);
    expect(
      record({ status: "failed", steps: [step("A", "commit", "passed"), step("A", "redeem", "failed")] }).passed,
    ).toBe(false);
    expect(
      record({ status: "succeeded", steps: [step("A", "commit", "passed"), step("A", "redeem", "skipped")] }).passed,
    ).toBe(false);
    expect(record({ status: "succeeded", steps: [] }).passed).toBe(false);
  });

  it("keeps steps, blocks and hashes, and no timings or errors", () => {
    const kept = record({
      status: "failed",
      steps: [
        step("A", "commit", "passed"),
        { ...step("A", "redeem", "failed"), error: { errorName: "InvalidState" } },
      ],
    });
    expect(kept.steps).toEqual([
      { exchange: "A", step: "commit", status: "passed", blockNumber: "42", txHash: `0x${"1".repeat(64)}` },
      { exchange: "A", step: "redeem", status: "failed" },
    ]);
    expect(kept).toMatchObject({
      stack: "staging",
      release,
      startedAt: "2026-12-01T00:00:00.000Z",
      finishedAt: "2026-12-01T00:03:00.000Z",
    });
  });

  it("is stored by the job and read back by the promotion gate, equal", async () => {
    const written = record({ status: "succeeded", steps: [step("A", "commit", "passed")] });
    const client = dynalite.newClient();
    await storeSmokeReleaseRecord(DynamoDBDocumentClient.from(client), "checkpoints", written);
    await expect(readSmokeRecordFromTable({ tableName: "checkpoints", stack: "staging", client })).resolves.toEqual(
      written,
    );
    await expect(
      readSmokeRecordFromTable({ tableName: "checkpoints", stack: "production", client }),
    ).resolves.toBeUndefined();
  });
});
