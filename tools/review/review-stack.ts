import { join } from "node:path";
import type { ConfigSource } from "../../infra/config";
import type { StackEvaluation } from "../../infra/offline/evaluate";
import { projectRoot } from "../../infra/offline/stack-file";
import { checklistIds, type ChecklistId } from "../../infra/policy/checklist";
import { blockingViolations, runPolicies } from "../../infra/policy/offline/run";
import { kitPolicies } from "../../infra/policy/policies";
import { applySignoffs, evaluateChecklist, signoffStates } from "./checklist";
import { estimateCost, type CostOptions } from "./cost";
import { compromisePlan } from "./compromise";
import { custodyOf } from "./custody";
import { deploymentOf } from "./custody-statements";
import { inventoryOf } from "./inventory";
import { stackDiagram } from "./mermaid";
import type { ChainFacts } from "./online/chain-facts";
import { itemProgress, type Log } from "./progress";
import { repoFacts } from "./repo-facts";
import { reportSchema, type PolicySummary, type ReadinessReport } from "./report";
import { byUrn, stackFacts } from "./stack-facts";
import { readChecklistDocument, type NamedTest } from "./evidence/checklist-doc";
import { readRecordedRun, type RecordedRun } from "./evidence/recorded-run";
import { readSignoffs, type SignoffFile } from "./signoffs";
import { signerSummary } from "../signer-summary";

/**
 * Builds the readiness report from an evaluated stack: runs the policy pack
 * on the recorded resources, evaluates S1..C4, and gathers custody,
 * inventory, cost and the diagram. Pure apart from reading the repository
 * (tests, package.json) under `root`; the CLI does the writing.
 */

export interface ReviewOptions {
  /** The stack's raw config, to tell secrets from plaintext (S3). */
  readonly source?: ConfigSource;
  /** Repository root for test evidence and repo facts; defaults to this repository. */
  readonly root?: string;
  readonly online?: ChainFacts;
  readonly policyConfig?: Readonly<Record<string, Record<string, unknown>>>;
  readonly cost?: CostOptions;
  readonly log?: Log;
  /** The recorded test run; defaults to the one under `root`. */
  readonly run?: RecordedRun;
  /** The tests per item; defaults to `root`'s docs/checklist.md. */
  readonly namedTests?: ReadonlyMap<ChecklistId, readonly NamedTest[]>;
  /** The stack's sign-offs; defaults to `root`'s signoffs/<stack>.yaml. */
  readonly signoffs?: SignoffFile;
  /** Where rotation rehearsals are recorded (`<dir>/<stack>/rotation-rehearsal.json`); defaults to `root`'s reports/. */
  readonly reportsDir?: string;
}

export async function reviewStack(evaluation: StackEvaluation, options: ReviewOptions = {}): Promise<ReadinessReport> {
  const log = options.log ?? (() => undefined);
  const { config } = evaluation;
  const root = options.root ?? projectRoot;
  const facts = stackFacts(evaluation);

  log(`running ${kitPolicies.length} policies on ${facts.custom.length} resources...`);
  const outcomes = await runPolicies(kitPolicies, [...evaluation.resources].sort(byUrn), {
    references: facts.refs,
    ...(options.policyConfig ? { config: options.policyConfig } : {}),
  });
  const failed = outcomes.filter((o) => o.status === "fail");
  log(
    `  ${outcomes.filter((o) => o.status === "pass").length} pass, ${failed.length} fail (${blockingViolations(outcomes).length} mandatory violations), ${outcomes.filter((o) => o.status === "not-applicable").length} not applicable`,
  );

  log(`evaluating the checklist (${checklistIds.length} items)...`);
  const run = options.run ?? readRecordedRun(root);
  const signoffs = options.signoffs ?? readSignoffs(root, config.stack);
  const namedTests = options.namedTests ?? readChecklistDocument(root);
  const evaluated = evaluateChecklist(
    {
      config,
      source: options.source,
      facts,
      policies: outcomes,
      namedTests,
      run,
      repo: repoFacts(root),
      online: options.online,
    },
    itemProgress(log, checklistIds.length),
  );
  const checklist = applySignoffs(evaluated, signoffs);
  const signoffList = signoffStates(signoffs);

  const policies: PolicySummary[] = outcomes.map((o) => ({
    policy: o.policy,
    status: o.status,
    enforcementLevel: o.enforcementLevel,
    checklist: o.mapping.checklist,
    checkov: o.mapping.checkov,
    trivy: o.mapping.trivy,
    checked: o.checked.length,
    violations: o.violations.map((v) => ({ resource: v.resource, message: v.message })),
  }));
  const blocking = checklist.filter((item) => item.blocking).map((item) => item.id);
  const awaiting = [
    ...checklist
      .filter((item) => item.blocking)
      .map((item) => ({ what: `${item.id} fails: ${item.summary}`, who: "the platform team" })),
    ...checklist
      .filter((item) => item.status === "evidence-not-run")
      .map((item) => ({
        what: `${item.id}: the tests it rests on did not run on these sources`,
        who: "whoever runs `npm test` (CI)",
      })),
    ...signoffList.filter((s) => !s.signed).map((s) => ({ what: `sign-off ${s.item}: ${s.title}`, who: s.awaits })),
  ];
  const notes = [
    ...(run.state === "current" ? [] : [`Test evidence: ${run.reason}.`]),
    ...signoffs.rejected.map((rejected) => `Sign-off ${rejected}.`),
    ...config.placeholders.map(
      (p) => `Secret \`${p.key}\` is ${p.reason} in the stack file; the review used a placeholder for it.`,
    ),
    ...(options.online
      ? []
      : [
          "Offline review: on-chain facts (S2, M3's on-chain roles, H2's paused regions, O6's live lag) were not read; pass `--rpc <url>` to check them.",
        ]),
    ...(options.online?.errors ?? []).map((error) => `On-chain read failed: ${error}`),
    ...signerSummary(config, options.reportsDir ?? join(root, "reports")),
  ];

  return {
    schema: reportSchema,
    stack: config.stack,
    environment: config.environment,
    configId: config.configId,
    chain: { id: config.chain.id, name: config.chain.name },
    mode: options.online ? "online" : "offline",
    verdict: awaiting.length === 0 ? "ready" : "not-ready",
    summary: {
      pass: checklist.filter((i) => i.status === "pass").length,
      fail: checklist.filter((i) => i.status === "fail").length,
      evidenceNotRun: checklist.filter((i) => i.status === "evidence-not-run").length,
      needsSignOff: checklist.filter((i) => i.status === "needs-sign-off").length,
      blocking,
    },
    testRun:
      run.state === "current"
        ? { state: "current", detail: `npm test on sources ${run.sourceHash}` }
        : { state: run.state, detail: run.reason },
    signoffs: signoffList,
    awaiting,
    notes,
    checklist,
    policies,
    custody: custodyOf(config, facts, options.online, deploymentOf(options.source, config.stack, root)),
    compromise: compromisePlan(config, facts),
    inventory: inventoryOf(facts),
    cost: estimateCost(config, facts, options.cost),
    diagram: stackDiagram(config, facts),
    ...(options.online ? { online: options.online } : {}),
  };
}
