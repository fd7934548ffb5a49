import { parseGwei } from "viem";
import { transactionDefaults } from "../../../contract/transactions";
import type { LifecyclePolicy } from "./managed-sender";

/** The stack's `transactions` settings as the TX_LIFECYCLE variable carries them (gwei as a decimal string). */
export type LifecycleSettings = {
  stuckAfterBlocks?: number | undefined;
  stuckAfterSeconds?: number | undefined;
  bumpPercent?: number | undefined;
  maxFeePerGasGwei?: string | undefined;
  leaseSeconds?: number | undefined;
  /** The alarm's threshold (infra/definitions/alarms.ts): the job reports the pending age, the alarm compares it. */
  pendingAlarmMinutes?: number | undefined;
};

/** The job's side of the settings, each defaulting as lambdas/contract/transactions.ts says. */
export function lifecyclePolicy(settings: LifecycleSettings = {}): LifecyclePolicy {
  return {
    stuckAfterBlocks: settings.stuckAfterBlocks ?? transactionDefaults.stuckAfterBlocks,
    stuckAfterSeconds: settings.stuckAfterSeconds ?? transactionDefaults.stuckAfterSeconds,
    bumpPercent: settings.bumpPercent ?? transactionDefaults.bumpPercent,
    maxFeePerGasWei: parseGwei(settings.maxFeePerGasGwei ?? transactionDefaults.maxFeePerGasGwei),
    leaseSeconds: settings.leaseSeconds ?? transactionDefaults.leaseSeconds,
  };
}
