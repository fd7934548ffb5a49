import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * Watcher checkpoints: the last block whose logs are fully stored, per
 * watcher. A checkpoint only moves forward from the value the run started
 * from (a conditional write), so two overlapping runs cannot move it back or
 * skip a range the other has not stored.
 */

export type Checkpoint = {
  /** Last block whose logs are all stored. */
  lastBlock: bigint;
  /** Hash of that block when it was read (for diagnosing reorgs deeper than the confirmations). */
  blockHash?: string;
  updatedAt: string;
};

/** Another run moved the checkpoint since this one read it. */
export class CheckpointConflictError extends Error {
  override name = "CheckpointConflictError";
  constructor(
    readonly checkpointName: string,
    readonly expected: bigint | undefined,
  ) {
    super(`checkpoint ${checkpointName} is no longer at ${expected === undefined ? "(none)" : expected.toString()}`);
  }
}

export interface CheckpointStore {
  read(name: string): Promise<Checkpoint | undefined>;
  /**
   * Moves `name` from `expected` (undefined: no checkpoint yet) to `to`.
   * Throws CheckpointConflictError when the stored value is not `expected`,
   * and refuses to move backwards.
   */
  advance(name: string, expected: bigint | undefined, to: bigint, blockHash?: string): Promise<void>;
}

type CheckpointItem = { id: string; lastBlock: number; blockHash?: string; updatedAt: string };

export function createCheckpointStore(
  documents: DynamoDBDocumentClient,
  tableName: string,
  now: () => Date = () => new Date(),
): CheckpointStore {
  return {
    async read(name) {
      const result = await documents.send(
        new GetCommand({ TableName: tableName, Key: { id: name }, ConsistentRead: true }),
      );
      const item = result.Item as CheckpointItem | undefined;
      if (item === undefined) return undefined;
      return {
        lastBlock: BigInt(item.lastBlock),
        ...(item.blockHash !== undefined ? { blockHash: item.blockHash } : {}),
        updatedAt: item.updatedAt,
      };
    },
    async advance(name, expected, to, blockHash) {
      if (expected !== undefined && to < expected) {
        throw new Error(`checkpoint ${name} cannot move back from ${expected.toString()} to ${to.toString()}`);
      }
      if (to > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`block ${to.toString()} is out of range`);
      const item: CheckpointItem = {
        id: name,
        lastBlock: Number(to),
        ...(blockHash !== undefined ? { blockHash } : {}),
        updatedAt: now().toISOString(),
      };
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            ...(expected === undefined
              ? { ConditionExpression: "attribute_not_exists(id)" }
              : {
                  ConditionExpression: "lastBlock = :expected",
                  ExpressionAttributeValues: { ":expected": Number(expected) },
                }),
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw new CheckpointConflictError(name, expected);
        throw error;
      }
    },
  };
}
