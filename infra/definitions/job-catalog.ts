import type { KitConfig } from "../config";
import { jobNames, type JobName } from "../../lambdas/contract";

/**
 * What each job is and what it touches: the single table from which the
 * program derives the jobs' roles, who may sign, who may use which table and
 * secret, and each Lambda's environment. A job gets a permission only if it
 * is listed here (checklist S1: only the jobs that sign may sign).
 */
export interface JobSpec {
  readonly description: string;
  /** The config schedule that triggers the job; undefined for jobs invoked on demand. */
  readonly schedule: keyof KitConfig["schedules"] | undefined;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** 1 makes the job a singleton. */
  readonly reservedConcurrency?: number;
  readonly uses: {
    /** `sign`: kms:Sign with the assistant key; `publicKey`: only its address. */
    readonly signer?: "sign" | "publicKey";
    readonly idempotencyTable?: true;
    readonly eventsTable?: true;
    readonly checkpointsTable?: true;
    readonly webhookSecret?: true;
    /** The signer's address without access to the key: to count the kit's own gas (M4). */
    readonly signerAddress?: true;
    /** The known test offer from config (`smoke.offerId`). */
    readonly smokeOffer?: true;
    /** Reads the business counters the watcher keeps in the events table (GetItem on those items only). */
    readonly businessCounters?: true;
    /** The stack's release (every Lambda's identity) and where to record a run against it, for the promotion gate. */
    readonly releaseRecord?: true;
  };
}

export const jobCatalog: Readonly<Record<JobName, JobSpec>> = {
  withdraw: {
    description:
      "Releases due escrow, then withdraws the seller's funds above the reserve its offers need to the treasury (checklist M1, M3)",
    schedule: "withdraw",
    // Up to four release transactions and the withdrawal, each waiting for its confirmations (12+ blocks on mainnet).
    timeoutSeconds: 900,
    memorySizeMb: 512,
    // Two withdrawals must never race for the same funds.
    reservedConcurrency: 1,
    uses: { signer: "sign", idempotencyTable: true },
  },
  health: {
    description: "Checks subgraph lag, gas balance, paused regions and business metrics (H2, H5, O6, B2)",
    schedule: "health",
    timeoutSeconds: 60,
    memorySizeMb: 512,
    uses: { signer: "publicKey", businessCounters: true },
  },
  watcher: {
    description: "Reads final protocol logs, stores each once, sends signed webhooks (H3, O5, S5)",
    schedule: "watcher",
    // Shorter than the one-minute schedule, so runs do not pile up.
    timeoutSeconds: 55,
    memorySizeMb: 512,
    // The smoke offer: its test exchanges are stored tagged, never sent or counted.
    uses: { eventsTable: true, checkpointsTable: true, webhookSecret: true, signerAddress: true, smokeOffer: true },
  },
  smoke: {
    description: "Runs a known test offer through the exchange state machine on release (M2, C4)",
    schedule: undefined,
    timeoutSeconds: 900,
    memorySizeMb: 512,
    uses: { signer: "sign", idempotencyTable: true, smokeOffer: true, releaseRecord: true },
  },
};

/** The jobs whose spec satisfies `predicate`, in the catalogue's order. */
export function jobsWhere(predicate: (spec: JobSpec) => boolean): JobName[] {
  return jobNames.filter((job) => predicate(jobCatalog[job]));
}
