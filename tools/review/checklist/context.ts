import type { ConfigSource, KitConfig } from "../../../infra/config";
import { checklistItems, type ChecklistId } from "../../../infra/policy/checklist";
import type { PolicyOutcome } from "../../../infra/policy/offline/run";
import type { ChainFacts } from "../online/chain-facts";
import type { RepoFacts } from "../repo-facts";
import type { Evidence, ItemResult } from "../report";
import type { StackFacts } from "../stack-facts";
import type { NamedTest } from "../evidence/checklist-doc";
import type { RecordedRun } from "../evidence/recorded-run";
import { describeNamedTest, outcomeOf } from "../evidence/test-outcome";

/** Everything a checklist item may look at. */
export interface ReviewContext {
  readonly config: KitConfig;
  /** The stack's raw config as read from its file, when known (which keys are secrets). */
  readonly source: ConfigSource | undefined;
  readonly facts: StackFacts;
  readonly policies: readonly PolicyOutcome[];
  /** The tests docs/checklist.md names per item. */
  readonly namedTests: ReadonlyMap<ChecklistId, readonly NamedTest[]>;
  /** The last recorded `npm test` run, if it ran on these sources. */
  readonly run: RecordedRun;
  readonly repo: RepoFacts;
  readonly online: ChainFacts | undefined;
}

export type ItemEvaluator = (context: ReviewContext) => ItemResult;

export const fact = (kind: Evidence["kind"], ref: string, detail: string, ok: boolean, advisory = false): Evidence =>
  advisory ? { kind, ref, detail, ok, advisory } : { kind, ref, detail, ok };

/** A test the item rests on that did not run on these sources: neither pass nor fail. */
const notRun = (ref: string, detail: string): Evidence => ({ kind: "test", ref, detail, ok: false, notRun: true });

/** The named policies' outcomes as evidence (a policy with nothing to check proves nothing and fails). */
export function policyEvidence(context: ReviewContext, names: readonly string[]): Evidence[] {
  return names.map((name) => {
    const outcome = context.policies.find((p) => p.policy === name);
    if (!outcome) return fact("policy", name, "did not run", false);
    if (outcome.status === "fail") {
      const first = outcome.violations
        .slice(0, 3)
        .map((v) => `${v.resource ?? "stack"}: ${v.message}`)
        .join("; ");
      return fact("policy", name, `${outcome.violations.length} violation(s): ${first}`, false);
    }
    if (outcome.status === "not-applicable") return fact("policy", name, "nothing in the stack for it to check", false);
    return fact(
      "policy",
      name,
      `passes on ${outcome.kind === "stack" ? "the stack" : `${outcome.checked.length} resource(s)`}`,
      true,
    );
  });
}

/**
 * The tests docs/checklist.md names for the item, with their outcome in the
 * last recorded run. `required`: the item rests on code behaviour only a
 * test can show, so a document naming no test fails it.
 */
export function testEvidence(context: ReviewContext, id: ChecklistId, required: boolean): Evidence[] {
  const named = context.namedTests.get(id) ?? [];
  if (named.length === 0) {
    return required
      ? [fact("test", "docs/checklist.md", `names no test for ${id}: nothing shows the code does this`, false)]
      : [];
  }
  return named.map((test) => {
    const outcome = outcomeOf(test, context.run);
    const ref = describeNamedTest(test);
    if (outcome.state === "passed") return fact("test", ref, `passed in the last run (${outcome.count} test(s))`, true);
    if (outcome.state === "failed") return fact("test", ref, outcome.reason, false);
    return notRun(ref, `evidence not run: ${outcome.reason}`);
  });
}

/**
 * Builds the item result from its evidence: a failed fact fails it (blocking
 * unless advisory); a test that did not run makes it "evidence not run"; an
 * item whose truth lies outside the code needs a person's sign-off even when
 * every fact holds (`signoff`: what that person checks).
 */
export function result(
  id: ChecklistId,
  evidence: readonly Evidence[],
  summaries: { readonly pass: string; readonly fail?: string },
  signoff?: { readonly check: string },
): ItemResult {
  const failed = evidence.filter((e) => !e.ok && !e.notRun);
  const blocking = failed.some((e) => !e.advisory);
  const title = checklistItems[id];
  const reasons = (list: readonly Evidence[]) => list.map((e) => `${e.ref}: ${e.detail}`).join("; ");
  const human = signoff ? { humanCheck: signoff.check } : {};
  if (blocking) {
    return {
      id,
      title,
      status: "fail",
      blocking: true,
      summary: summaries.fail ? `${summaries.fail} (${reasons(failed)})` : reasons(failed),
      ...human,
      evidence,
    };
  }
  const notRunTests = evidence.filter((e) => e.notRun);
  if (notRunTests.length > 0) {
    return {
      id,
      title,
      status: "evidence-not-run",
      blocking: false,
      summary: `${notRunTests.length} test(s) it rests on did not run on these sources`,
      ...human,
      evidence,
    };
  }
  const advisory = failed.length > 0 ? `; also check: ${reasons(failed)}` : "";
  if (signoff)
    return {
      id,
      title,
      status: "needs-sign-off",
      blocking: false,
      summary: `${summaries.pass}${advisory}`,
      humanCheck: signoff.check,
      evidence,
    };
  if (failed.length > 0)
    return {
      id,
      title,
      status: "fail",
      blocking: false,
      summary: summaries.fail ? `${summaries.fail} (${reasons(failed)})` : reasons(failed),
      evidence,
    };
  return { id, title, status: "pass", blocking: false, summary: summaries.pass, evidence };
}
