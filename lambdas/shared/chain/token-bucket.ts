/**
 * A token bucket (checklist O4): `ratePerSecond` tokens refill continuously
 * up to `burst`; each relayer call takes one. Per process: a Lambda instance
 * handles one invocation at a time, so the bucket bounds that instance's rate.
 */
export type Clock = () => number;

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: Clock = Date.now,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new Error("a token bucket needs ratePerSecond > 0 and burst >= 1");
    this.tokens = burst;
    this.updatedAt = now();
  }

  private refill(): void {
    const current = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((current - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = current;
  }

  /** Takes a token if one is there now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available (0 if one is there now). */
  waitTimeMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  /** Waits up to `maxWaitMs` for a token; false if none came in time. */
  async take(maxWaitMs: number, sleep: (ms: number) => Promise<void>): Promise<boolean> {
    const wait = this.waitTimeMs();
    if (wait > maxWaitMs) return false;
    if (wait > 0) await sleep(wait);
    return this.tryTake();
  }
}
