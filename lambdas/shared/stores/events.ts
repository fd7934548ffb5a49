import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * The chain-event store (checklist O5): every event the watcher acts on is
 * written once, keyed by `txHash#logIndex`, with a conditional put, so a log
 * seen twice (a re-run over the same range, two overlapping runs) is stored
 * and delivered once. Webhook-bound events carry their delivery state; a
 * dead-lettered delivery stays in the table with its payload, so nothing is
 * lost and it can be replayed.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type DeliveryStatus = "pending" | "delivered" | "dead-lettered";

export type EndpointDelivery = {
  status: "delivered" | "dead-lettered";
  attempts: number;
  /** HTTP status of the last attempt; absent when the endpoint never answered. */
  lastStatusCode?: number;
  /** Short reason of the last failure; never a payload or a secret. */
  lastError?: string;
  at: string;
};

export type Delivery = {
  status: DeliveryStatus;
  /** While pending: the sending run holds it until then (ISO time), so an overlapping run does not send it too. */
  claimedUntil?: string;
  /** Keyed by a hash of the endpoint URL (URLs may carry tokens). */
  endpoints: Record<string, EndpointDelivery>;
};

export type ChainEventRecord = {
  /** `txHash#logIndex`: the dedupe key. */
  id: string;
  recordType: "chain-event";
  eventName: string;
  /** Decimal strings: DynamoDB numbers lose nothing, but uint256 does not fit a JS number. */
  blockNumber: string;
  blockHash: string;
  txHash: string;
  logIndex: number;
  /** Unix seconds of the block. */
  blockTimestamp: number;
  exchangeId?: string;
  offerId?: string;
  /** Decoded event arguments, uint values as decimal strings. */
  args: Record<string, JsonValue>;
  delivery?: Delivery;
  /** The smoke job's test exchange: not a customer's, so never sent or counted. */
  smokeTest?: true;
  storedAt: string;
};

export function chainEventId(txHash: string, logIndex: number): string {
  return `${txHash.toLowerCase()}#${logIndex}`;
}

export type PutOutcome = "stored" | "duplicate";

export interface EventStore {
  /** Stores the event unless one with the same id is there already. */
  putOnce(event: ChainEventRecord): Promise<PutOutcome>;
  get(id: string): Promise<ChainEventRecord | undefined>;
  /**
   * Takes over a pending delivery whose claim (`expectedClaim`) has run out, until `until`; false when
   * another run holds it or took it first.
   */
  claimDelivery(id: string, expectedClaim: string | undefined, until: string): Promise<boolean>;
  /** Replaces the event's delivery state (one write per event, after all endpoints were tried). */
  recordDelivery(id: string, delivery: Delivery): Promise<void>;
  /** Dead-lettered deliveries (a scan: for operators and replay tooling, not for the minute-by-minute path). */
  listDeadLettered(): Promise<ChainEventRecord[]>;
}

export function createEventStore(documents: DynamoDBDocumentClient, tableName: string): EventStore {
  return {
    async putOnce(event) {
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: event,
            ConditionExpression: "attribute_not_exists(id)",
          }),
        );
        return "stored";
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return "duplicate";
        throw error;
      }
    },
    async get(id) {
      const result = await documents.send(new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }));
      return result.Item as ChainEventRecord | undefined;
    },
    async claimDelivery(id, expectedClaim, until) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { id },
            UpdateExpression: "SET delivery.claimedUntil = :until",
            ConditionExpression:
              expectedClaim === undefined
                ? "delivery.#status = :pending AND attribute_not_exists(delivery.claimedUntil)"
                : "delivery.#status = :pending AND delivery.claimedUntil = :expected",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: {
              ":until": until,
              ":pending": "pending",
              ...(expectedClaim !== undefined ? { ":expected": expectedClaim } : {}),
            },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async recordDelivery(id, delivery) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { id },
          UpdateExpression: "SET delivery = :delivery",
          ConditionExpression: "attribute_exists(id)",
          ExpressionAttributeValues: { ":delivery": delivery },
        }),
      );
    },
    async listDeadLettered() {
      const found: ChainEventRecord[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: "recordType = :type AND delivery.#status = :dead",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: { ":type": "chain-event", ":dead": "dead-lettered" },
            ExclusiveStartKey: startKey,
            ConsistentRead: true,
          }),
        );
        found.push(...((page.Items ?? []) as ChainEventRecord[]));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return found;
    },
  };
}
