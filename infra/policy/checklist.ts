/**
 * The ids of the "going to production" checklist (docs/checklist.md),
 * with a short title each. Policies, the readiness report and the promotion
 * gate all refer to items by these ids, so the list lives in one place.
 */
export const checklistItems = {
  S1: "Private keys live in a managed signer (KMS), never in env vars",
  S2: "The seller uses a smart account (session key for the assistant role)",
  S3: "RPC API keys are restricted to the server's IP range",
  S4: "The configId is per environment, never hard-coded",
  S5: "Webhook payloads are HMAC-signed",
  S6: "Widget embeds have a CSP allowlist",
  H1: "Contract addresses are verified against the official table",
  H2: "pausedRegions() is read before a call; a paused region is transient",
  H3: "The Diamond's DiamondCut event is watched",
  H4: "SDK and contract ABI versions are pinned to the same release",
  H5: "Gas balance is monitored with drain alerts at 0.5x, 0.2x, 0.1x the daily burn",
  O1: "Writes are idempotent",
  O2: "Read-after-write paths wait for the subgraph to index the write",
  O3: "Reorgs are handled: enough confirmations before a change counts",
  O4: "Relayer calls are rate-limited, with a fallback",
  O5: "Webhook events are persisted with (txHash, logIndex) as the dedupe key",
  O6: "The subgraph is health-checked (alert when it lags the chain head)",
  M1: "Withdrawals run on a schedule or a balance threshold",
  M2: "The full exchange state machine is tested on a real exchange before the flip",
  M3: "Who holds the seller's admin keys, and how to rotate them, is documented",
  M4: "Fee, gas and FX exposure is calculated per exchange",
  B1: "Every tool call is logged with an exchangeId: searchable, replayable",
  B2: "Dashboards: open exchanges, redemption, disputes, time-to-completion, gas",
  B3: "Alerts: dispute raised, disputed > 1 day, balance low, subgraph stale",
  B4: "One canonical request is traced end to end",
  C1: "No logging of private keys, signatures or full transactions",
  C2: "Revert reasons are caught and decoded against the merged ABI",
  C3: "SDK call sites are type-checked",
  C4: "An end-to-end smoke test runs against production on every release",
} as const;

export type ChecklistId = keyof typeof checklistItems;

export const checklistIds = Object.keys(checklistItems) as ChecklistId[];

export function isChecklistId(value: string): value is ChecklistId {
  return Object.hasOwn(checklistItems, value);
}
