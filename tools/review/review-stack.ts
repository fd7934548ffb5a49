import type { ConfigSource } from "../../infra/config";
import type { StackEvaluation } from "../../infra/offline/mock-harness";
import { projectRoot } from "../../infra/offline/stack-file";
import { checklistIds } from "../../infra/policy/checklist";
import { blockingViolations, runPolicies } from "../../infra/policy/offline/run";
import { kitPolicies } from "../../infra/policy/policies";
import { evaluateChecklist } from "./checklist";
import { estimateCost, type CostOptions } from "./cost";
import { custodyOf } from "./custody";
import { inventoryOf } from "./inventory";
import { stackDiagram } from "./mermaid";
import type { ChainFacts } from "./online/chain-facts";
import { itemProgress, type Log } from "./progress";
import { repoFacts } from "./repo-facts";
import { reportSchema, type PolicySummary, type ReadinessReport } from "./report";
import { byUrn, stackFacts } from "./stack-facts";
import { testsByChecklistId } from "./test-evidence";
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
}

export async function reviewStack(evaluation: StackEvaluation, options: ReviewOptions = {}): Promise<ReadinessReport> {
  const log = options.log ?? (() => undefined);
  const { config } = evaluation;
  const root = options.root ?? projectRoot;
  const facts = stackFacts(evaluation);

  log(`running ${kitPolicies.length} policies on ${facts.custom.length} resources...`);
  const outcomes = await runPolicies(kitPolicies, [...evaluation.resources].sort(byUrn), { references: facts.refs, ...(options.policyConfig ? { config: options.policyConfig } : {}) });
  const failed = outcomes.filter((o) => o.status === "fail");
  log(`  ${outcomes.filter((o) => o.status === "pass").length} pass, ${failed.length} fail (${blockingViolations(outcomes).length} mandatory violations), ${outcomes.filter((o) => o.status === "not-applicable").length} not applicable`);

  log(`evaluating the checklist (${checklistIds.length} items)...`);
  const checklist = evaluateChecklist(
    { config, source: options.source, facts, policies: outcomes, tests: testsByChecklistId(root), repo: repoFacts(root), online: options.online },
    itemProgress(log, checklistIds.length),
  );

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
  const notes = [
    ...config.placeholders.map((p) => `Secret \`${p.key}\` is ${p.reason} in the stack file; the review used a placeholder for it.`),
    ...(options.online ? [] : ["Offline review: on-chain facts (S2, M3's on-chain roles, H2's paused regions, O6's live lag) were not read; pass `--rpc <url>` to check them."]),
    ...(options.online?.errors ?? []).map((error) => `On-chain read failed: ${error}`),
    ...signerSummary(config),
  ];

  return {
    schema: reportSchema,
    stack: config.stack,
    environment: config.environment,
    configId: config.configId,
    chain: { id: config.chain.id, name: config.chain.name },
    mode: options.online ? "online" : "offline",
    verdict: blocking.length > 0 ? "blocked" : "ready",
    summary: {
      pass: checklist.filter((i) => i.status === "pass").length,
      fail: checklist.filter((i) => i.status === "fail").length,
      needsHuman: checklist.filter((i) => i.status === "needs-human").length,
      blocking,
    },
    notes,
    checklist,
    policies,
    custody: custodyOf(config, facts, options.online),
    inventory: inventoryOf(facts),
    cost: estimateCost(config, facts, options.cost),
    diagram: stackDiagram(config, facts),
    ...(options.online ? { online: options.online } : {}),
  };
}
