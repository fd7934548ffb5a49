import type { ChecklistId } from "../../infra/policy/checklist";
import type { CompromisePlan } from "./compromise";
import type { CostEstimate } from "./cost";
import type { Custody } from "./custody";
import type { InventoryGroup } from "./inventory";
import type { ChainFacts } from "./online/chain-facts";

/**
 * The readiness report: one object that the markdown and JSON writers render
 * and CI reads. `readiness.json` is this object as is; its shape changes
 * only with `schema`.
 */

export const reportSchema = "boson-kit/readiness@2";

/**
 * pass: every fact holds and every test it rests on passed (or a person signed it);
 * fail: a fact does not hold or a test failed; evidence-not-run: a test it rests
 * on did not run on these sources; needs-sign-off: the facts hold, but the
 * truth lies outside the code and no person has signed it yet.
 */
export type ItemStatus = "pass" | "fail" | "evidence-not-run" | "needs-sign-off";

/** One fact that supports or contradicts a checklist item. */
export interface Evidence {
  /** Where the fact comes from. */
  readonly kind: "resource" | "config" | "policy" | "test" | "output" | "repo" | "chain" | "signoff";
  /** What it is: a resource name, a config key, a policy name, a test file and title. */
  readonly ref: string;
  readonly detail: string;
  readonly ok: boolean;
  /** A failed fact that does not stop a promotion (reported all the same). */
  readonly advisory?: boolean;
  /** A test the fact rests on did not run on these sources: neither a pass nor a fail. */
  readonly notRun?: boolean;
}

export interface ItemResult {
  readonly id: ChecklistId;
  readonly title: string;
  readonly status: ItemStatus;
  /** True when the item fails on a fact that is not advisory: the promotion gate stops. */
  readonly blocking: boolean;
  /** One sentence: why this status. */
  readonly summary: string;
  /** For items a person signs: exactly what they check, and how. */
  readonly humanCheck?: string;
  readonly evidence: readonly Evidence[];
}

export interface SignoffState {
  readonly item: string;
  readonly title: string;
  readonly awaits: string;
  readonly signed?: {
    readonly who: string;
    readonly when: string;
    readonly checked: string;
    readonly expires?: string;
  };
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
  /** ready: no blocking failure, no evidence missing, every sign-off present; otherwise not-ready. */
  readonly verdict: "ready" | "not-ready";
  readonly summary: {
    readonly pass: number;
    readonly fail: number;
    readonly evidenceNotRun: number;
    readonly needsSignOff: number;
    readonly blocking: readonly ChecklistId[];
  };
  /** Where the test evidence comes from. */
  readonly testRun: { readonly state: "current" | "missing" | "stale"; readonly detail: string };
  /** Every sign-off the stack needs, signed or not. */
  readonly signoffs: readonly SignoffState[];
  /** What stands between this stack and READY, and who it waits for. */
  readonly awaiting: readonly { readonly what: string; readonly who: string }[];
  readonly notes: readonly string[];
  readonly checklist: readonly ItemResult[];
  readonly policies: readonly PolicySummary[];
  readonly custody: Custody;
  readonly compromise: CompromisePlan;
  readonly inventory: readonly InventoryGroup[];
  readonly cost: CostEstimate;
  readonly diagram: string;
  readonly online?: ChainFacts;
}
