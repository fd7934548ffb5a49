import type { ConfigSource, KitConfig } from "../../../infra/config";
import { checklistItems, type ChecklistId } from "../../../infra/policy/checklist";
import type { PolicyOutcome } from "../../../infra/policy/offline/run";
import type { ChainFacts } from "../online/chain-facts";
import type { RepoFacts } from "../repo-facts";
import type { Evidence, ItemResult } from "../report";
import type { StackFacts } from "../stack-facts";
import type { TestTitle } from "../test-evidence";

/** Everything a checklist item may look at. */
export interface ReviewContext {
  readonly config: KitConfig;
  /** The stack's raw config as read from its file, when known (which keys are secrets). */
  readonly source: ConfigSource | undefined;
  readonly facts: StackFacts;
  readonly policies: readonly PolicyOutcome[];
  readonly tests: ReadonlyMap<ChecklistId, readonly TestTitle[]>;
  readonly repo: RepoFacts;
  readonly online: ChainFacts | undefined;
}

export type ItemEvaluator = (context: ReviewContext) => ItemResult;

export const fact = (kind: Evidence["kind"], ref: string, detail: string, ok: boolean, advisory = false): Evidence =>
  advisory ? { kind, ref, detail, ok, advisory } : { kind, ref, detail, ok };

/** The named policies' outcomes as evidence (a policy with nothing to check proves nothing and fails). */
export function policyEvidence(context: ReviewContext, names: readonly string[]): Evidence[] {
  return names.map((name) => {
    const outcome = context.policies.find((p) => p.policy === name);
    if (!outcome) return fact("policy", name, "did not run", false);
    if (outcome.status === "fail") {
      const first = outcome.violations.slice(0, 3).map((v) => `${v.resource ?? "stack"}: ${v.message}`).join("; ");
      return fact("policy", name, `${outcome.violations.length} violation(s): ${first}`, false);
    }
    if (outcome.status === "not-applicable") return fact("policy", name, "nothing in the stack for it to check", false);
    return fact("policy", name, `passes on ${outcome.kind === "stack" ? "the stack" : `${outcome.checked.length} resource(s)`}`, true);
  });
}

/**
 * Tests whose titles name the item. `required`: the item rests on code
 * behaviour only a test can show, so no test means the item fails.
 */
export function testEvidence(context: ReviewContext, id: ChecklistId, required: boolean): Evidence[] {
  const tests = context.tests.get(id) ?? [];
  if (tests.length === 0) {
    return required ? [fact("test", `test/**/*.test.ts`, `no test names ${id} in its title: nothing shows the code does this`, false)] : [];
  }
  return tests.map((test) => fact("test", `${test.file}:${test.line}`, test.title, true));
}

/** Builds the item result from its evidence: any failed fact fails it; any failed non-advisory fact blocks. */
export function result(
  id: ChecklistId,
  evidence: readonly Evidence[],
  summaries: { readonly pass: string; readonly fail?: string },
  human?: { readonly check: string },
): ItemResult {
  const failed = evidence.filter((e) => !e.ok);
  const blocking = failed.some((e) => !e.advisory);
  const title = checklistItems[id];
  // Advisory findings on an item a person must sign off anyway go to that person, with the item.
  if (failed.length > 0 && !blocking && human) {
    const notes = failed.map((e) => `${e.ref}: ${e.detail}`).join("; ");
    return { id, title, status: "needs-human", blocking: false, summary: `${summaries.pass}; also check: ${notes}`, humanCheck: human.check, evidence };
  }
  if (failed.length > 0) {
    const reasons = failed.map((e) => `${e.ref}: ${e.detail}`).join("; ");
    return { id, title, status: "fail", blocking, summary: summaries.fail ? `${summaries.fail} (${reasons})` : reasons, evidence };
  }
  if (human) return { id, title, status: "needs-human", blocking: false, summary: summaries.pass, humanCheck: human.check, evidence };
  return { id, title, status: "pass", blocking: false, summary: summaries.pass, evidence };
}
