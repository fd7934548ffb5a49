/**
 * The one place that sends requests to KMS: retries, timing and error mapping.
 */
import { KMSClient } from "@aws-sdk/client-kms";
import {
  isRetryableKmsError,
  isThrottlingError,
  retriesExhaustedError,
  toKmsAccountError,
  type KmsOperationName,
} from "./errors";
import { retry, RetryExhaustedError, type RetryPolicy } from "../runtime/retry";

/** Filled in while a call runs, read afterwards even if it failed (for metrics). */
export type KmsCallStats = {
  /** HTTP requests sent, SDK-internal retries included. */
  attempts: number;
  /** Time spent inside the SDK calls, backoff sleeps excluded. */
  kmsMs: number;
  /** Of the attempts, how many KMS throttled (its request quota was exceeded). */
  throttles?: number;
};

type WithMetadata = { $metadata: { attempts?: number } };

let sharedClient: KMSClient | undefined;

/**
 * One client per process, so connections are reused across invocations. The
 * SDK's own retries are off (maxAttempts 1): callKms retries with a time
 * bound, and two layers would multiply. Region and credentials come from the
 * Lambda environment.
 */
export function defaultKmsClient(): KMSClient {
  sharedClient ??= new KMSClient({
    maxAttempts: 1,
    // A hung connection fails fast and is retried, rather than eating the whole budget.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
  });
  return sharedClient;
}

/**
 * Runs `send` (one SDK call) with the retry policy. Throws KmsAccountError,
 * never a raw SDK error.
 */
export async function callKms<T extends WithMetadata>(
  send: (abortSignal: AbortSignal) => Promise<T>,
  context: { keyId: string; operation: KmsOperationName; retryPolicy: RetryPolicy; stats?: KmsCallStats },
): Promise<T> {
  const { keyId, operation, retryPolicy } = context;
  const stats = context.stats ?? { attempts: 0, kmsMs: 0 };
  try {
    return await retry(
      async ({ signal }) => {
        const started = performance.now();
        try {
          const output = await send(signal);
          stats.attempts += output.$metadata.attempts ?? 1;
          return output;
        } catch (error) {
          stats.attempts += attemptsOf(error);
          if (isThrottlingError(error)) stats.throttles = (stats.throttles ?? 0) + 1;
          throw error;
        } finally {
          stats.kmsMs += performance.now() - started;
        }
      },
      { policy: retryPolicy, isRetryable: isRetryableKmsError },
    );
  } catch (error) {
    if (error instanceof RetryExhaustedError) {
      const { reason, elapsedMs } = error;
      throw retriesExhaustedError(error.cause, { keyId, operation, attempts: stats.attempts, elapsedMs, reason });
    }
    throw toKmsAccountError(error, { keyId, operation });
  }
}

function attemptsOf(error: unknown): number {
  const attempts = (error as Partial<WithMetadata> | null)?.$metadata?.attempts; // SDK errors carry $metadata; others count once
  return typeof attempts === "number" && attempts > 0 ? attempts : 1;
}
