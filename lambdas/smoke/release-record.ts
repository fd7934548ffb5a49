import { PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { smokeRecordKey, type Release, type SmokeReleaseRecord } from "../contract/release";
import type { SmokeOutcome } from "./smoke";

/**
 * The smoke job's record of one run for the promotion gate: the release it
 * ran against (every Lambda's identity, as infra declared it), pass or fail
 * per step with its block, and when. No signature, no calldata: only what a
 * release owner needs to prove which code passed.
 */
export function smokeReleaseRecord(options: {
  stack: string;
  configId: string;
  release: Release;
  outcome: SmokeOutcome;
  startedAt: Date;
  finishedAt: Date;
}): SmokeReleaseRecord {
  const { outcome } = options;
  return {
    stack: options.stack,
    configId: options.configId,
    release: options.release,
    passed:
      outcome.status === "succeeded" &&
      outcome.steps.length > 0 &&
      outcome.steps.every((step) => step.status === "passed"),
    steps: outcome.steps.map((step) => ({
      exchange: step.exchange,
      step: step.step,
      status: step.status,
      ...(step.blockNumber !== undefined ? { blockNumber: step.blockNumber } : {}),
      ...(step.txHash !== undefined ? { txHash: step.txHash } : {}),
    })),
    startedAt: options.startedAt.toISOString(),
    finishedAt: options.finishedAt.toISOString(),
  };
}

/** Keeps the latest record per stack: the gate reads `smoke-release#<stack>`. */
export async function storeSmokeReleaseRecord(
  documents: DynamoDBDocumentClient,
  tableName: string,
  record: SmokeReleaseRecord,
): Promise<void> {
  await documents.send(new PutCommand({ TableName: tableName, Item: { id: smokeRecordKey(record.stack), ...record } }));
}
