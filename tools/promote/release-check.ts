import { readFileSync } from "node:fs";
import * as v from "valibot";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import {
  releaseSchema,
  smokeRecordKey,
  smokeReleaseRecordSchema,
  type Release,
  type SmokeReleaseRecord,
} from "../../lambdas/contract/release";
import { identityDifferences } from "../../infra/definitions/release-identity";

/**
 * Artifact identity for a promotion: production may run only what a passing
 * staging smoke run ran. The record comes from the staging smoke job (its
 * DynamoDB item, or the file the pipeline saved from its invocation); the
 * planned release is the target stack's `release` output, computed from the
 * same bundles `pulumi up` would deploy.
 */

function parseRecord(value: unknown, where: string): SmokeReleaseRecord {
  const parsed = v.safeParse(smokeReleaseRecordSchema, value);
  if (!parsed.success) {
    throw new Error(
      `${where} is not a smoke release record: ${parsed.issues.map((issue) => `${v.getDotPath(issue) ?? ""}: ${issue.message}`).join("; ")}`,
    );
  }
  return parsed.output;
}

/** A record saved as JSON: the smoke job's `releaseRecord` (or its whole invocation result). */
export function readSmokeRecordFile(path: string): SmokeReleaseRecord {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read the smoke record ${path}: ${(error as Error).message}`, { cause: error });
  }
  const record = typeof json === "object" && json !== null && "releaseRecord" in json ? json.releaseRecord : json;
  return parseRecord(record, path);
}

/** The record the smoke job stored in the stack's table, read with the caller's AWS credentials. */
export async function readSmokeRecordFromTable(options: {
  tableName: string;
  stack: string;
  client?: DynamoDBClient;
}): Promise<SmokeReleaseRecord | undefined> {
  const documents = DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}));
  const result = await documents.send(
    new GetCommand({ TableName: options.tableName, Key: { id: smokeRecordKey(options.stack) }, ConsistentRead: true }),
  );
  if (result.Item === undefined) return undefined;
  const { id: _id, ...record } = result.Item;
  return parseRecord(record, `${options.tableName} ${smokeRecordKey(options.stack)}`);
}

/** The target plan's release, from its stack outputs. */
export function plannedRelease(outputs: Readonly<Record<string, unknown>>): Release {
  const parsed = v.safeParse(releaseSchema, outputs.release);
  if (!parsed.success)
    throw new Error("the target stack has no `release` output: the program declares it for every Lambda");
  return parsed.output;
}

/** Why the promotion may not go ahead on artifact identity; empty when the planned release passed staging's smoke run. */
export function releaseRefusals(planned: Release, record: SmokeReleaseRecord | undefined, fromStack: string): string[] {
  if (!record) {
    return [
      `no smoke record from ${fromStack}: run the smoke job on ${fromStack}, then pass --smoke-record FILE (its saved result) or --smoke-table TABLE (read with your AWS credentials)`,
    ];
  }
  if (record.stack !== fromStack) return [`the smoke record is from stack ${record.stack}, not ${fromStack}`];
  if (!record.passed) {
    const failed = record.steps
      .filter((step) => step.status !== "passed")
      .map((step) => `${step.exchange}.${step.step} ${step.status}`);
    return [
      `the ${fromStack} smoke run of ${record.finishedAt} did not pass (${failed.join(", ") || "no steps ran"}): fix and re-run it before promoting`,
    ];
  }
  const refusals: string[] = [];
  for (const [name, identity] of Object.entries(planned)) {
    const tested = record.release[name];
    if (!tested) {
      refusals.push(`${name} is not in the release the ${fromStack} smoke run tested`);
      continue;
    }
    const differences = identityDifferences(tested, identity);
    if (differences.length > 0) {
      refusals.push(
        `${name} differs from what passed the ${fromStack} smoke run (${record.finishedAt}): ${differences.join(", ")}`,
      );
    }
  }
  return refusals;
}
