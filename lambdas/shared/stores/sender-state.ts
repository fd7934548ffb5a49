/**
 * The sender's state, per signing address, as items in the idempotency table
 * (the jobs that sign already read and write it): a lease, so one run at a
 * time sends for a key (withdraw and smoke share the key), and the pending
 * transaction with everything needed to resume it after an interrupted run
 * (nonce, every hash it was sent as, fees, when first seen, purpose,
 * idempotency key, the latest signed transaction for re-broadcast).
 */
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Address, Hex } from "viem";

export type PendingTransaction = {
  nonce: number;
  /** Every hash this nonce was sent as, oldest first (replacements add one each). */
  hashes: Hex[];
  /** The latest signed transaction, re-broadcast when the node dropped it. */
  signedTransaction: Hex;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
  /** When the first version was sent (ms since epoch) and at which block. */
  firstSeenAt: number;
  lastSentAt: number;
  lastSentBlock: string;
  purpose: string;
  idempotencyKey: string;
  to: Address;
  data: Hex;
  value: string;
  gas: string;
  /** Set when the write is no longer due and a zero-value self-transfer replaces it. */
  cancelled?: boolean;
};

export class LeaseHeldError extends Error {
  readonly transient = true;
  constructor(readonly sender: Address) {
    super(`another run holds the send lease for ${sender}; this run sends nothing (retried next run)`);
    this.name = "LeaseHeldError";
  }
}

export interface SenderStateStore {
  /** Takes the lease for `sender` unless another owner holds an unexpired one. */
  acquireLease(sender: Address, owner: string, ttlSeconds: number): Promise<void>;
  releaseLease(sender: Address, owner: string): Promise<void>;
  readPending(sender: Address): Promise<PendingTransaction | undefined>;
  writePending(sender: Address, pending: PendingTransaction): Promise<void>;
  clearPending(sender: Address): Promise<void>;
}

export function createSenderStateStore(
  documents: DynamoDBDocumentClient,
  tableName: string,
  now: () => number = Date.now,
): SenderStateStore {
  const leaseId = (sender: Address) => `sender-lease#${sender.toLowerCase()}`;
  const pendingId = (sender: Address) => `sender-pending#${sender.toLowerCase()}`;
  return {
    async acquireLease(sender, owner, ttlSeconds) {
      const at = now();
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              id: leaseId(sender),
              owner,
              expiresAtMs: at + ttlSeconds * 1000,
              expiration: Math.ceil(at / 1000) + ttlSeconds,
            },
            ConditionExpression: "attribute_not_exists(id) OR expiresAtMs < :now OR #owner = :owner",
            ExpressionAttributeNames: { "#owner": "owner" },
            ExpressionAttributeValues: { ":now": at, ":owner": owner },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw new LeaseHeldError(sender);
        throw error;
      }
    },
    async releaseLease(sender, owner) {
      try {
        await documents.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { id: leaseId(sender) },
            ConditionExpression: "#owner = :owner",
            ExpressionAttributeNames: { "#owner": "owner" },
            ExpressionAttributeValues: { ":owner": owner },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async readPending(sender) {
      const result = await documents.send(
        new GetCommand({ TableName: tableName, Key: { id: pendingId(sender) }, ConsistentRead: true }),
      );
      return (result.Item as { pending?: PendingTransaction } | undefined)?.pending;
    },
    async writePending(sender, pending) {
      await documents.send(new PutCommand({ TableName: tableName, Item: { id: pendingId(sender), pending } }));
    },
    async clearPending(sender) {
      await documents.send(new DeleteCommand({ TableName: tableName, Key: { id: pendingId(sender) } }));
    },
  };
}

let containerDocuments: DynamoDBDocumentClient | undefined;

/** The store on `tableName` with one client per Lambda container (warm runs reuse its connections). */
export function senderStateStoreFor(tableName: string): SenderStateStore {
  containerDocuments ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return createSenderStateStore(containerDocuments, tableName);
}
