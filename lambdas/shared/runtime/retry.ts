/**
 * Retries with "full jitter" exponential backoff, bounded both in attempts and
 * in total time. The time bound matters in a Lambda: a job that sleeps past
 * its own timeout loses the chance to report why it failed.
 */
import { setTimeout as pause } from "node:timers/promises";

export type RetryPolicy = {
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  /**
   * Budget from the first attempt: no retry starts after it, and the running attempt is aborted at it.
   * `Infinity` for none, when each attempt bounds its own time (webhooks).
   */
  maxElapsedMs: number;
  /** Upper bound of the first backoff; it doubles on each retry... */
  baseDelayMs: number;
  /** ...up to this cap. */
  maxDelayMs: number;
};

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  maxElapsedMs: 10_000,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
};

export type RetryAttempt = {
  /** 1 for the first call. */
  attempt: number;
  /** Aborted when the time budget runs out; pass it to the call. */
  signal: AbortSignal;
};

export type RetryOptions = {
  policy: RetryPolicy;
  isRetryable: (error: unknown) => boolean;
  /** For tests. */
  random?: () => number;
  /** For tests. */
  sleep?: (ms: number) => Promise<void>;
};

/** Thrown when a retryable failure outlasts the budget; `cause` is the last failure. */
export class RetryExhaustedError extends Error {
  override name = "RetryExhaustedError";
  constructor(
    readonly reason: "attempts" | "time",
    readonly attempts: number,
    readonly elapsedMs: number,
    cause: unknown,
  ) {
    super(`gave up after ${attempts} attempt(s) in ${Math.round(elapsedMs)} ms (${reason} limit)`, { cause });
  }
}

/**
 * Calls `run` until it succeeds, fails with a non-retryable error (rethrown as
 * is), or the budget runs out (RetryExhaustedError).
 */
export async function retry<T>(run: (attempt: RetryAttempt) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, isRetryable, random = Math.random, sleep = (ms: number) => pause(ms) } = options;
  const started = performance.now();
  const deadline = started + policy.maxElapsedMs;
  let previousFailure: unknown;
  for (let attempt = 1; ; attempt++) {
    const controller = new AbortController();
    // setTimeout would fire at once for an infinite delay.
    const timer = Number.isFinite(deadline)
      ? setTimeout(() => controller.abort(new Error("retry time budget exhausted")), deadline - performance.now())
      : undefined;
    let failure: unknown;
    try {
      return await run({ attempt, signal: controller.signal });
    } catch (error) {
      failure = error;
    } finally {
      clearTimeout(timer);
    }
    const elapsed = performance.now() - started;
    // An attempt cut short by the budget says less about the cause than the failure before it.
    if (controller.signal.aborted) throw new RetryExhaustedError("time", attempt, elapsed, previousFailure ?? failure);
    if (!isRetryable(failure)) throw failure;
    if (attempt >= policy.maxAttempts) throw new RetryExhaustedError("attempts", attempt, elapsed, failure);
    const delay = backoffDelay(policy, attempt, random);
    if (performance.now() + delay >= deadline) throw new RetryExhaustedError("time", attempt, elapsed, failure);
    previousFailure = failure;
    await sleep(delay);
  }
}

/** Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}
