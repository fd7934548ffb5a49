import { describe, expect, it } from "vitest";
import {
  committedStacks,
  committedStackEvaluations,
  keyType,
  named,
  ofType,
  parentOf,
  resolve,
} from "./stack-evaluation";

const stacks = committedStackEvaluations();

const tableType = "aws:dynamodb/table:Table";

describe.each(committedStacks)("state tables in %s (O1, O5)", (stack) => {
  it("declares the idempotency, events and checkpoints tables in the State component", () => {
    const evaluation = stacks[stack];
    expect(
      ofType(evaluation, tableType)
        .map((table) => table.name)
        .sort(),
    ).toEqual(["state-checkpoints", "state-events", "state-idempotency"]);
    for (const table of ofType(evaluation, tableType))
      expect(parentOf(evaluation, table)?.type).toBe("boson-kit:state:State");
  });

  it("keys every table on a string `id` (events: txHash#logIndex)", () => {
    for (const table of ofType(stacks[stack], tableType)) {
      expect(table.inputs.hashKey, table.name).toBe("id");
      expect(table.inputs.rangeKey, table.name).toBeUndefined();
      expect(table.inputs.attributes, table.name).toEqual([{ name: "id", type: "S" }]);
    }
  });

  it("expires idempotency records on Powertools' `expiration` attribute", () => {
    const table = named(stacks[stack], tableType, "state-idempotency");
    expect(table.inputs.ttl).toEqual({ attributeName: "expiration", enabled: true });
    // Chain events are the dedupe record (O5): they never expire.
    expect(named(stacks[stack], tableType, "state-events").inputs.ttl).toBeUndefined();
  });

  it("turns on point-in-time recovery and customer-managed encryption on every table", () => {
    const evaluation = stacks[stack];
    for (const table of ofType(evaluation, tableType)) {
      expect((table.inputs.pointInTimeRecovery as { enabled: boolean }).enabled, table.name).toBe(true);
      const encryption = table.inputs.serverSideEncryption as { enabled: boolean; kmsKeyArn: string };
      expect(encryption.enabled, table.name).toBe(true);
      const key = resolve(evaluation, encryption.kmsKeyArn);
      expect(key.type).toBe(keyType);
      expect(key.inputs.enableKeyRotation).toBe(true);
    }
  });
});
