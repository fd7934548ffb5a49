import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { CheckResult, PreflightCheck, PreflightContext } from "../../../tools/preflight/check";
import { runCheck } from "../../../tools/preflight/run";
import { installLoopbackGuard, type LoopbackGuard } from "../../harness/loopback-guard";
import { healthyAccount, startPreflightWorld, type PreflightWorld } from "../../harness/preflight-world";

/**
 * The AWS preflight checks run with the real AWS SDK v3 clients against local
 * stand-ins of the three AWS wire protocol families (query/XML, JSON 1.1,
 * REST-JSON). A loopback guard proves that no request left 127.0.0.1.
 */
export interface AwsChecksWorld {
  readonly world: () => PreflightWorld;
  readonly run: (check: PreflightCheck, context?: PreflightContext) => Promise<CheckResult[]>;
}

/** Starts the stand-ins for the calling test file and resets the account after each test. */
export function useAwsChecksWorld(): AwsChecksWorld {
  let guard: LoopbackGuard;
  let world: PreflightWorld;

  beforeAll(async () => {
    guard = installLoopbackGuard();
    world = await startPreflightWorld();
  });

  afterEach(() => {
    // Every test starts from the healthy account and changes one thing.
    Object.assign(world.account, healthyAccount());
  });

  afterAll(async () => {
    await world?.close();
    guard?.uninstall();
    expect(guard.refused).toEqual([]);
    expect(guard.connections.length).toBeGreaterThan(0);
    expect(guard.connections.every((target) => target.startsWith("127.0.0.1:"))).toBe(true);
  });

  return { world: () => world, run: (check, context = world.context()) => runCheck(check, context) };
}

export const failures = (results: readonly CheckResult[]) => results.filter((result) => result.status === "fail");
