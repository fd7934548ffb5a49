import { describe, expect, it } from "vitest";
import { backoffDelay, retry, RetryExhaustedError, type RetryPolicy } from "../../lambdas/shared/runtime/retry";

const policy: RetryPolicy = { maxAttempts: 4, maxElapsedMs: 1_000, baseDelayMs: 10, maxDelayMs: 25 };
const retryable = new Error("retryable");
const fatal = new Error("fatal");
const isRetryable = (error: unknown) => error === retryable;

describe("backoff", () => {
  it("is full jitter: uniform below base * 2^(attempt-1), capped", () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt, () => 1))).toEqual([10, 20, 25, 25]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 2, () => 0.5)).toBe(10);
  });
});

describe("retry", () => {
  it("returns the first success, after retryable failures", async () => {
    let calls = 0;
    const value = await retry(
      async ({ attempt }) => {
        calls += 1;
        expect(attempt).toBe(calls);
        if (calls < 3) throw retryable;
        return "ok";
      },
      { policy, isRetryable },
    );
    expect(value).toBe("ok");
    expect(calls).toBe(3);
  });

  it("rethrows a non-retryable failure at once", async () => {
    let calls = 0;
    const run = async () => {
      calls += 1;
      throw fatal;
    };
    await expect(retry(run, { policy, isRetryable })).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it("gives up after maxAttempts, keeping the last failure as cause", async () => {
    let calls = 0;
    const run = async () => {
      calls += 1;
      throw retryable;
    };
    const error = await retry(run, { policy, isRetryable }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect(error).toMatchObject({ reason: "attempts", attempts: 4, cause: retryable });
    expect(calls).toBe(4);
  });

  it("gives up at maxElapsedMs, aborting the attempt in flight", async () => {
    const started = performance.now();
    let aborted = false;
    const run = ({ signal }: { signal: AbortSignal }) =>
      new Promise<never>((_, reject) => {
        signal.addEventListener("abort", () => {
          aborted = true;
          reject(signal.reason);
        });
      });
    const error = await retry(run, { policy: { ...policy, maxElapsedMs: 50 }, isRetryable }).catch(
      (reason: unknown) => reason,
    );
    expect(error).toMatchObject({ reason: "time", attempts: 1 });
    expect(aborted).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000); // unaborted, the attempt would never end
  });

  it("does not sleep past the deadline", async () => {
    const started = performance.now();
    const run = async () => {
      throw retryable;
    };
    const slow = { maxAttempts: 10, maxElapsedMs: 30, baseDelayMs: 5_000, maxDelayMs: 5_000 };
    const error = await retry(run, { policy: slow, isRetryable, random: () => 1 }).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ reason: "time", attempts: 1 });
    expect(performance.now() - started).toBeLessThan(2_500); // a sleep would take 5 s
  });
});
