import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { businessTallyKeyPrefix } from "../../contract/table-keys";
import { exchangeEndingEvents } from "../chain/protocol-events";

/**
 * The seller's business figures (checklist B2) as running counters, kept by
 * the watcher from the events it already reads, so the health job reads one
 * item instead of paging through every exchange ever made: the cost of a
 * health run does not grow with the seller's history.
 *
 * Exactly once without transactions: the watcher applies events in chain
 * order (block, log index), and the counters item remembers the position of
 * the last event applied. An update is conditional on its event being past
 * that position, so a re-run over the same range or an overlapping run adds
 * nothing twice. Every counted transition happens at most once per exchange
 * on chain (one commit, one redeem, one dispute, one finalization), so plain
 * increments give the same figures as counting exchanges in the subgraph.
 *
 * Counting starts where the watcher starts: exchanges made before its first
 * block are not in these figures.
 */

export type TallyCounters = {
  committed: number;
  redeemed: number;
  disputed: number;
  /** Completed, revoked, cancelled (incl. expired) or dispute finalized. */
  finalized: number;
  completed: number;
  /** Completions whose commit the watcher saw, and the sum of their commit-to-completion seconds. */
  timedCompletions: number;
  completionSecondsSum: number;
};

/** Business metrics (B2). Rates are fractions (0..1); undefined when there is no denominator. */
export type BusinessMetrics = {
  exchanges: number;
  openExchanges: number;
  redemptionRate?: number;
  disputeRate?: number;
  meanTimeToCompletionSeconds?: number;
};

export type TallySnapshot = { counters: TallyCounters; appliedThrough?: string };

const emptyCounters = (): TallyCounters => ({
  committed: 0,
  redeemed: 0,
  disputed: 0,
  finalized: 0,
  completed: 0,
  timedCompletions: 0,
  completionSecondsSum: 0,
});
const counterNames = Object.keys(emptyCounters()) as (keyof TallyCounters)[];

/** The counters an exchange event moves (before completion timing); empty for events the figures ignore. */
export function tallyIncrements(eventName: string): Partial<TallyCounters> {
  if (eventName === "BuyerCommitted" || eventName === "SellerCommitted") return { committed: 1 };
  if (eventName === "VoucherRedeemed") return { redeemed: 1 };
  if (eventName === "DisputeRaised") return { disputed: 1 };
  if (eventName === "ExchangeCompleted") return { finalized: 1, completed: 1 };
  if (exchangeEndingEvents.has(eventName)) return { finalized: 1 };
  return {};
}

/** The figures the health job publishes, from the counters. */
export function metricsFromTally(counters: TallyCounters): BusinessMetrics {
  return {
    exchanges: counters.committed,
    openExchanges: counters.committed - counters.finalized,
    ...(counters.committed > 0 ? { redemptionRate: counters.redeemed / counters.committed } : {}),
    ...(counters.redeemed > 0 ? { disputeRate: counters.disputed / counters.redeemed } : {}),
    ...(counters.timedCompletions > 0
      ? { meanTimeToCompletionSeconds: counters.completionSecondsSum / counters.timedCompletions }
      : {}),
  };
}

/** Sortable position of a log in the chain: zero-padded block number and log index. */
export function chainPosition(blockNumber: bigint, logIndex: number): string {
  return `${blockNumber.toString().padStart(20, "0")}#${logIndex.toString().padStart(10, "0")}`;
}

export type TallyEvent = {
  eventName: string;
  exchangeId: string;
  blockNumber: bigint;
  logIndex: number;
  blockTimestamp: number;
};

export interface BusinessTally {
  /** Applies one of the seller's exchange events; "duplicate" when the counters already include it. */
  apply(event: TallyEvent): Promise<"applied" | "duplicate" | "ignored">;
  read(): Promise<TallySnapshot | undefined>;
}

export const tallyKey = (sellerId: bigint | string) => `${businessTallyKeyPrefix}${sellerId.toString()}`;
export const tallyCommitKey = (sellerId: bigint | string, exchangeId: string) =>
  `${businessTallyKeyPrefix}${sellerId.toString()}#commit#${exchangeId}`;

/** The counters in the watcher's events table: one item per seller, plus one commit time per exchange for the completion time. */
export function createBusinessTally(
  documents: DynamoDBDocumentClient,
  tableName: string,
  sellerId: bigint | string,
): BusinessTally {
  const key = tallyKey(sellerId);

  async function commitTime(exchangeId: string): Promise<number | undefined> {
    const found = await documents.send(
      new GetCommand({ TableName: tableName, Key: { id: tallyCommitKey(sellerId, exchangeId) }, ConsistentRead: true }),
    );
    const value = (found.Item as { committedAt?: number } | undefined)?.committedAt;
    return typeof value === "number" ? value : undefined;
  }

  return {
    async apply(event) {
      const increments: Partial<TallyCounters> = { ...tallyIncrements(event.eventName) };
      if (Object.keys(increments).length === 0) return "ignored";
      if (increments.committed !== undefined) {
        // Written before the counters and idempotent (first value wins), so a crash in between only repeats it.
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { id: tallyCommitKey(sellerId, event.exchangeId) },
            UpdateExpression: "SET committedAt = if_not_exists(committedAt, :at), recordType = :type",
            ExpressionAttributeValues: { ":at": event.blockTimestamp, ":type": "business-tally-commit" },
          }),
        );
      }
      if (increments.completed !== undefined) {
        const committedAt = await commitTime(event.exchangeId);
        if (committedAt !== undefined)
          Object.assign(increments, { timedCompletions: 1, completionSecondsSum: event.blockTimestamp - committedAt });
      }
      const position = chainPosition(event.blockNumber, event.logIndex);
      const names = Object.keys(increments) as (keyof TallyCounters)[];
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { id: key },
            UpdateExpression: `SET appliedThrough = :position, recordType = :type ADD ${names.map((name) => `#${name} :${name}`).join(", ")}`,
            ConditionExpression: "attribute_not_exists(appliedThrough) OR appliedThrough < :position",
            ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
            ExpressionAttributeValues: {
              ":position": position,
              ":type": "business-tally",
              ...Object.fromEntries(names.map((name) => [`:${name}`, increments[name]])),
            },
          }),
        );
        return "applied";
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return "duplicate";
        throw error;
      }
    },
    async read() {
      const found = await documents.send(
        new GetCommand({ TableName: tableName, Key: { id: key }, ConsistentRead: true }),
      );
      if (found.Item === undefined) return undefined;
      const item = found.Item as Record<string, unknown>;
      const counters = emptyCounters();
      for (const name of counterNames) counters[name] = typeof item[name] === "number" ? item[name] : 0;
      return { counters, ...(typeof item.appliedThrough === "string" ? { appliedThrough: item.appliedThrough } : {}) };
    },
  };
}

export { emptyCounters };
