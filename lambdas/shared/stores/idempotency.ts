/**
 * Idempotent writes (checklist O1) through Powertools Idempotency on
 * DynamoDB: a state-changing call runs under a key (for example
 * `(sellerId, tokens, window)` for a withdrawal, `(exchangeId, targetState)`
 * for an exchange action). A second invocation with the same key while the
 * first runs gets `in-progress` (no second transaction; retried next run);
 * after it completed, the stored result comes back (`replayed`). A failed
 * call deletes its record, so the next run may try again.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { logToolCall } from "../runtime/logger";

/** Key fields: strings and numbers only, so the key is stable and readable. */
export type IdempotencyKey = Readonly<Record<string, string | number | readonly string[]>>;

export type IdempotentOutcome<T> =
  { status: "executed"; result: T } | { status: "replayed"; result: T } | { status: "in-progress" };

export type IdempotentRunner = <T extends Record<string, unknown>>(
  scope: string,
  key: IdempotencyKey,
  run: () => Promise<T>,
) => Promise<IdempotentOutcome<T>>;

export type IdempotencyOptions = {
  tableName: string;
  client?: DynamoDBClient;
  logger: Logger;
  /** How long a completed key is remembered; default 24 h. */
  expiresAfterSeconds?: number;
  /** Prefix of every key (the job's name), so jobs sharing the table never collide. */
  keyPrefix: string;
  /** The invocation's context: a crashed or timed-out invocation's lock then expires with it, not after a day. */
  lambdaContext?: Context;
};

// The handlers build a runner per invocation (it carries the invocation's context); left to itself,
// Powertools would build a DynamoDB client per runner, and so new connections on every warm run.
let containerClient: DynamoDBClient | undefined;

export function createIdempotentRunner(options: IdempotencyOptions): IdempotentRunner {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client ?? (containerClient ??= new DynamoDBClient({})),
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: "key",
    expiresAfterSeconds: options.expiresAfterSeconds ?? 86_400,
    throwOnNoIdempotencyKey: true,
  });
  if (options.lambdaContext) config.registerLambdaContext(options.lambdaContext);
  return async (scope, key, run) => {
    let executed = false;
    const started = performance.now();
    const idempotent = makeIdempotent(
      async (_payload: { key: IdempotencyKey }) => {
        executed = true;
        return await run();
      },
      { persistenceStore, config, keyPrefix: `${options.keyPrefix}.${scope}` },
    );
    const requestId = `${scope}:${JSON.stringify(key)}`;
    try {
      const result = (await idempotent({ key })) as Awaited<ReturnType<typeof run>>;
      const status = executed ? "executed" : "replayed";
      logToolCall(options.logger, {
        tool: "dynamodb",
        operation: "idempotency",
        requestId,
        durationMs: Math.round(performance.now() - started),
        outcome: "ok",
        details: { status },
      });
      return { status, result };
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError) {
        logToolCall(options.logger, {
          tool: "dynamodb",
          operation: "idempotency",
          requestId,
          durationMs: Math.round(performance.now() - started),
          outcome: "transient",
          details: { status: "in-progress" },
        });
        return { status: "in-progress" };
      }
      throw error;
    }
  };
}
