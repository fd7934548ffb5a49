import { parseGwei } from "viem";
import type { LifecyclePolicy } from "./managed-sender";

/** The stack's `transactions` settings as the TX_LIFECYCLE variable carries them (gwei as a decimal string). */
export type LifecycleSettings = {
  stuckAfterBlocks?: number | undefined;
  stuckAfterSeconds?: number | undefined;
  bumpPercent?: number | undefined;
  maxFeePerGasGwei?: string | undefined;
  leaseSeconds?: number | undefined;
  pendingAlarmMinutes?: number | undefined;
};

/**
 * Defaults: stuck after 3 blocks or 60 s; +15% per replacement (above the
 * node's 10%); a 500 gwei cap; a lease as long as the longest Lambda run
 * (15 minutes), so a killed run's lease expires before the next schedule.
 */
export function lifecyclePolicy(settings: LifecycleSettings = {}): LifecyclePolicy {
  return {
    stuckAfterBlocks: settings.stuckAfterBlocks ?? 3,
    stuckAfterSeconds: settings.stuckAfterSeconds ?? 60,
    bumpPercent: settings.bumpPercent ?? 15,
    maxFeePerGasWei: parseGwei(settings.maxFeePerGasGwei ?? "500"),
    leaseSeconds: settings.leaseSeconds ?? 900,
    pendingAlarmMinutes: settings.pendingAlarmMinutes ?? 10,
  };
}
