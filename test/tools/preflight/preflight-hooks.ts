import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { CheckResult, PreflightCheck, PreflightContext } from "../../../tools/preflight/check";
import { runCheck } from "../../../tools/preflight/run";
import { installLoopbackGuard, type LoopbackGuard } from "../../harness/loopback-guard";
import { startPreflightWorld, type PreflightWorld } from "../../harness/preflight-world";

/**
 * The preflight checks run with the real AWS and Google clients against the
 * local stand-ins of their APIs. A loopback guard proves that no request left
 * 127.0.0.1.
 */
export interface PreflightHooks {
  readonly world: () => PreflightWorld;
  readonly run: (check: PreflightCheck, context?: PreflightContext) => Promise<CheckResult[]>;
}

/** Starts the stand-ins for the calling test file; `reset` restores the healthy account or project after each test. */
export function usePreflightWorld(reset: (world: PreflightWorld) => void): PreflightHooks {
  let guard: LoopbackGuard;
  let world: PreflightWorld;

  beforeAll(async () => {
    guard = installLoopbackGuard();
    world = await startPreflightWorld();
  });

  // Every test starts from the healthy account or project and changes one thing.
  afterEach(() => reset(world));

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
