import { retry, type RetryPolicy } from "../shared/runtime/retry";
import type { ShippableEntry } from "./entries";

/**
 * Ships entries in order, in batches, and never drops one silently: a
 * transient failure is retried with backoff, a batch the API finds too large
 * is split in two and each half shipped in turn, and anything else (or a
 * retry budget that runs out) is thrown, so the invocation fails and Lambda's
 * async retries and the DLQ keep the payload. Cloud Logging deduplicates a
 * re-sent entry by its insertId, so a re-delivery after a partial success
 * does not duplicate records.
 */

export interface EntryWriter {
  /** Writes all of `entries` or none of them (partial success is off). */
  write(entries: readonly ShippableEntry[], signal: AbortSignal): Promise<void>;
}

export interface BatchLimits {
  /** Entries per entries.write request. */
  readonly maxEntries: number;
  /** Estimated bytes per request; Cloud Logging's hard limit is 10 MB. */
  readonly maxBytes: number;
}

export const defaultBatchLimits: BatchLimits = { maxEntries: 1_000, maxBytes: 4 * 1024 * 1024 };

export const defaultShipRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  maxElapsedMs: 45_000,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

export type FailureKind = "transient" | "too-large" | "permanent";

/** gRPC status codes (and their names) that a later attempt can succeed on. */
const transientCodes = new Set([
  2, // UNKNOWN (a dropped connection surfaces so)
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED (quota, rate)
  10, // ABORTED
  13, // INTERNAL
  14, // UNAVAILABLE
]);
const transientStatusNames = new Set([
  "UNKNOWN",
  "DEADLINE_EXCEEDED",
  "RESOURCE_EXHAUSTED",
  "ABORTED",
  "INTERNAL",
  "UNAVAILABLE",
]);

const tooLargeMessage = /payload size exceeds|request (entity|payload) too large|too large/i;
const connectionMessage =
  /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|network|fetch failed|other side closed/i;

/** Google's error body, `{ error: { code, status, message } }`, when the error carries one. */
function googleErrorBody(error: Record<string, unknown>): { code?: unknown; status?: unknown } | undefined {
  const response = error.response as { data?: unknown } | undefined;
  const candidates = [response?.data, error.message];
  for (const candidate of candidates) {
    let body = candidate;
    if (typeof body === "string" && body.trimStart().startsWith("{")) {
      try {
        body = JSON.parse(body);
      } catch {
        continue;
      }
    }
    const inner = (body as { error?: unknown } | undefined)?.error;
    if (inner !== null && typeof inner === "object") return inner as { code?: unknown; status?: unknown };
  }
  return undefined;
}

/**
 * Classifies a failed write. Over the REST transport the error is google-gax's
 * GoogleError (gRPC `code`, `httpStatusCode`) or the HTTP client's error
 * (`code`/`status` = the HTTP status, the message = Google's JSON error body);
 * a request that got no answer has neither.
 */
export function classifyFailure(error: unknown): FailureKind {
  if (error === null || typeof error !== "object") return "permanent";
  const record = error as Record<string, unknown>;
  const message = typeof record.message === "string" ? record.message : "";
  const body = googleErrorBody(record);
  const numbers = [record.httpStatusCode, record.status, record.code, body?.code].filter(
    (value): value is number => typeof value === "number",
  );
  const httpStatus = numbers.find((value) => value >= 100);
  const grpcCode = typeof record.code === "number" && record.code < 100 ? record.code : undefined;
  const statusName = typeof body?.status === "string" ? body.status : undefined;

  if (httpStatus === 413 || tooLargeMessage.test(message)) return "too-large";
  if (statusName !== undefined) return transientStatusNames.has(statusName) ? "transient" : "permanent";
  if (grpcCode !== undefined) return transientCodes.has(grpcCode) ? "transient" : "permanent";
  if (httpStatus !== undefined)
    return httpStatus === 408 || httpStatus === 429 || httpStatus >= 500 ? "transient" : "permanent";
  return connectionMessage.test(message) || (typeof record.code === "string" && connectionMessage.test(record.code))
    ? "transient"
    : "permanent";
}

/** The failure the shipper throws: how many entries were written before it, and why it stopped. */
export class ShipFailedError extends Error {
  override name = "ShipFailedError";
  constructor(
    readonly shipped: number,
    readonly remaining: number,
    cause: unknown,
  ) {
    super(
      `shipping stopped after ${shipped} entr${shipped === 1 ? "y" : "ies"}; ${remaining} not written: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
}

class TooLargeError extends Error {
  override name = "TooLargeError";
}

/** Splits entries, in order, into batches within the limits. */
export function toBatches(entries: readonly ShippableEntry[], limits: BatchLimits): ShippableEntry[][] {
  const batches: ShippableEntry[][] = [];
  let current: ShippableEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length > 0 && (current.length >= limits.maxEntries || bytes + entry.bytes > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface ShipOptions {
  readonly limits?: BatchLimits;
  readonly policy?: RetryPolicy;
  /** Called before each retry and each split, for the shipper's own log. */
  readonly onEvent?: (event: { kind: "retry" | "split"; entries: number; attempt?: number; error?: unknown }) => void;
  readonly random?: () => number;
}

export interface ShipResult {
  readonly entries: number;
  readonly requests: number;
  readonly retries: number;
  readonly splits: number;
}

/** Writes every entry, in order; resolves only when all are written. */
export async function shipEntries(
  writer: EntryWriter,
  entries: readonly ShippableEntry[],
  options: ShipOptions = {},
): Promise<ShipResult> {
  const limits = options.limits ?? defaultBatchLimits;
  const policy = options.policy ?? defaultShipRetryPolicy;
  const stats = { entries: 0, requests: 0, retries: 0, splits: 0 };

  const writeWithRetry = (batch: readonly ShippableEntry[]) =>
    retry(
      async ({ attempt, signal }) => {
        stats.requests++;
        if (attempt > 1) stats.retries++;
        try {
          await writer.write(batch, signal);
        } catch (error) {
          if (classifyFailure(error) === "too-large") throw new TooLargeError("batch too large", { cause: error });
          if (classifyFailure(error) === "transient")
            options.onEvent?.({ kind: "retry", entries: batch.length, attempt, error });
          throw error;
        }
      },
      {
        policy,
        isRetryable: (error) => classifyFailure(error) === "transient",
        ...(options.random ? { random: options.random } : {}),
      },
    );

  const shipBatch = async (batch: readonly ShippableEntry[]): Promise<void> => {
    try {
      await writeWithRetry(batch);
      stats.entries += batch.length;
    } catch (error) {
      if (!(error instanceof TooLargeError) || batch.length < 2) {
        throw error instanceof TooLargeError ? (error.cause as Error) : error;
      }
      stats.splits++;
      options.onEvent?.({ kind: "split", entries: batch.length });
      const middle = Math.ceil(batch.length / 2);
      await shipBatch(batch.slice(0, middle));
      await shipBatch(batch.slice(middle));
    }
  };

  for (const batch of toBatches(entries, limits)) {
    try {
      await shipBatch(batch);
    } catch (error) {
      throw new ShipFailedError(stats.entries, entries.length - stats.entries, error);
    }
  }
  return stats;
}
