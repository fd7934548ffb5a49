import type { ChecklistId } from "../../infra/policy/checklist";
import type { CostEstimate } from "./cost";
import type { Custody } from "./custody";
import type { InventoryGroup } from "./inventory";
import type { ChainFacts } from "./online/chain-facts";

/**
 * The readiness report: one object that the markdown and JSON writers render
 * and CI reads. `readiness.json` is this object as is; its shape changes
 * only with `schema`.
 */

export const reportSchema = "boson-kit/readiness@1";

export type ItemStatus = "pass" | "fail" | "needs-human";

/** One fact that supports or contradicts a checklist item. */
export interface Evidence {
  /** Where the fact comes from. */
  readonly kind: "resource" | "config" | "policy" | "test" | "output" | "repo" | "chain";
  /** What it is: a resource name, a config key, a policy name, a test file and title. */
  readonly ref: string;
  readonly detail: string;
  readonly ok: boolean;
  /** A failed fact that does not stop a promotion (reported all the same). */
  readonly advisory?: boolean;
}

export interface ItemResult {
  readonly id: ChecklistId;
  readonly title: string;
  readonly status: ItemStatus;
  /** True when the item fails on a fact that is not advisory: the promotion gate stops. */
  readonly blocking: boolean;
  /** One sentence: why this status. */
  readonly summary: string;
  /** For needs-human: exactly what a person has to check, and how. */
  readonly humanCheck?: string;
  readonly evidence: readonly Evidence[];
}

export interface PolicySummary {
  readonly policy: string;
  readonly status: "pass" | "fail" | "not-applicable";
  readonly enforcementLevel: string;
  readonly checklist: readonly ChecklistId[];
  readonly checkov: readonly string[];
  readonly trivy: readonly string[];
  readonly checked: number;
  readonly violations: readonly { readonly resource: string | undefined; readonly message: string }[];
}

export interface ReadinessReport {
  readonly schema: typeof reportSchema;
  readonly stack: string;
  readonly environment: string;
  readonly configId: string;
  readonly chain: { readonly id: number; readonly name: string };
  readonly mode: "offline" | "online";
  /** ready: no blocking failure; blocked: at least one. */
  readonly verdict: "ready" | "blocked";
  readonly summary: {
    readonly pass: number;
    readonly fail: number;
    readonly needsHuman: number;
    readonly blocking: readonly ChecklistId[];
  };
  readonly notes: readonly string[];
  readonly checklist: readonly ItemResult[];
  readonly policies: readonly PolicySummary[];
  readonly custody: Custody;
  readonly inventory: readonly InventoryGroup[];
  readonly cost: CostEstimate;
  readonly diagram: string;
  readonly online?: ChainFacts;
}
