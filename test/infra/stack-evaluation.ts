/**
 * Shared helpers of the infra tests: evaluate the committed stacks once per
 * worker (through `evaluateStack`, as the offline plan does) and look up
 * recorded resources, policies and the ARNs that link them.
 */
import { beforeAll } from "vitest";
import { resourceTypes } from "../../infra/offline/resource-types";
import { grantsAny, parsePolicyDocument, principalIds, readStatement } from "../../infra/policy/iam-document";
import { evaluateStack, type RecordedResource, type StackEvaluation } from "../../infra/offline/evaluate";

export const committedStacks = ["staging", "production"] as const;
export type CommittedStack = (typeof committedStacks)[number];

let committedEvaluations: Promise<Record<CommittedStack, StackEvaluation>> | undefined;

/**
 * Evaluates every committed stack, one after the other (Pulumi's mocks are
 * process-global). The infra project shares modules across the files of a
 * worker (isolate: false), so the files share one evaluation: read it, never change it.
 */
export function evaluateCommittedStacks(): Promise<Record<CommittedStack, StackEvaluation>> {
  committedEvaluations ??= (async () => {
    const staging = await evaluateStack("staging");
    const production = await evaluateStack("production");
    return { staging, production };
  })();
  return committedEvaluations;
}

/** The committed stacks, evaluated in the calling file's `beforeAll`: read them inside tests only. */
export function committedStackEvaluations(): Readonly<Record<CommittedStack, StackEvaluation>> {
  const stacks = {} as Record<CommittedStack, StackEvaluation>; // filled by beforeAll, before any test reads it
  beforeAll(async () => {
    Object.assign(stacks, await evaluateCommittedStacks());
  });
  return stacks;
}

export function ofType(evaluation: StackEvaluation, type: string): RecordedResource[] {
  return evaluation.resources.filter((resource) => resource.type === type);
}

export function named(evaluation: StackEvaluation, type: string, name: string): RecordedResource {
  const found = evaluation.resources.find((resource) => resource.type === type && resource.name === name);
  if (!found) throw new Error(`no ${type} named ${name} in ${evaluation.config.stack}`);
  return found;
}

/** The resource whose computed `arn` (or `id`) is `reference`. */
export function resolve(evaluation: StackEvaluation, reference: unknown, field = "arn"): RecordedResource {
  const found = evaluation.resources.find(
    (resource) => resource.computed?.[field] !== undefined && resource.computed[field] === reference,
  );
  if (!found) throw new Error(`nothing in ${evaluation.config.stack} has ${field} ${String(reference)}`);
  return found;
}

export function parentOf(evaluation: StackEvaluation, resource: RecordedResource): RecordedResource | undefined {
  return evaluation.resources.find((candidate) => candidate.urn === resource.parent);
}

export function childrenOf(evaluation: StackEvaluation, parent: RecordedResource): RecordedResource[] {
  return evaluation.resources.filter((resource) => resource.parent === parent.urn);
}

export const functionType = resourceTypes.function;
export const keyType = resourceTypes.key;
export const roleType = resourceTypes.role;
export const rolePolicyType = resourceTypes.rolePolicy;

export type Principal = "*" | { AWS?: string | string[]; Service?: string | string[] };

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * The statements of a policy as written, for assertions on their exact
 * shape; the policy pack's reader (`parsePolicyDocument`) must accept it too.
 */
export function parsePolicy(json: unknown): Statement[] {
  if (typeof json !== "string") throw new Error(`a policy must be a JSON string, got ${typeof json}`);
  const read = parsePolicyDocument(json);
  if (!read.ok) throw new Error(`the policy pack cannot read this policy: it ${read.error}`);
  const document = JSON.parse(json) as { Version?: string; Statement?: Statement[] };
  if (document.Version !== "2012-10-17" || !Array.isArray(document.Statement))
    throw new Error(`not an IAM policy document: ${json}`);
  return document.Statement;
}

export const actionsOf = (statement: Statement): string[] => [...readStatement(statement).actions];
export const resourcesOf = (statement: Statement): string[] => [...readStatement(statement).resources];
export const awsPrincipals = (statement: Statement): string[] => principalIds(readStatement(statement), "AWS");
export const servicePrincipals = (statement: Statement): string[] => principalIds(readStatement(statement), "Service");

export function grants(statement: Statement, action: string): boolean {
  return grantsAny(readStatement(statement), [action]);
}

/** The logical names of the roles a list of role ARNs names. */
export function roleNames(evaluation: StackEvaluation, arns: readonly string[]): string[] {
  return arns.map((arn) => resolve(evaluation, arn).name).sort();
}

/** Every resource input that holds a policy document, with where it came from. */
export function allPolicies(
  evaluation: StackEvaluation,
): { resource: RecordedResource; field: string; statements: Statement[] }[] {
  const policyFields = ["policy", "assumeRolePolicy"];
  return evaluation.resources.flatMap((resource) =>
    policyFields
      .filter((field) => typeof resource.inputs[field] === "string")
      .map((field) => ({ resource, field, statements: parsePolicy(resource.inputs[field]) })),
  );
}

/** The job's function, by the JobFunction component `<job>-job` that owns it. */
export function jobFunction(evaluation: StackEvaluation, job: string): RecordedResource {
  return named(evaluation, functionType, `${job}-job-function`);
}

export function environmentOf(fn: RecordedResource): Record<string, string> {
  const variables = (fn.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables;
  if (!variables) throw new Error(`${fn.name} has no environment`);
  return variables;
}

/** The statements of the inline policy attached to a role (by the role's id). */
export function rolePolicyStatements(evaluation: StackEvaluation, role: RecordedResource): Statement[] {
  const policies = ofType(evaluation, rolePolicyType).filter((policy) => policy.inputs.role === role.computed?.id);
  return policies.flatMap((policy) => parsePolicy(policy.inputs.policy));
}

export function keyPolicy(key: RecordedResource): Statement[] {
  return parsePolicy(key.inputs.policy);
}

/** Principals allowed `action` on a key other than the administrators, deployers and previewers (the config's ARNs). */
export function jobPrincipalsAllowed(evaluation: StackEvaluation, key: RecordedResource, action: string): string[] {
  const { kmsAdministrators, deployers, previewers } = evaluation.config.aws;
  const people = [...kmsAdministrators, ...deployers, ...previewers];
  return keyPolicy(key)
    .filter((statement) => statement.Effect === "Allow" && grants(statement, action))
    .flatMap(awsPrincipals)
    .filter((arn) => !people.includes(arn));
}

/** The statements of the resource policy attached to a Secrets Manager secret. */
export function secretPolicyStatements(evaluation: StackEvaluation, secret: RecordedResource): Statement[] {
  const policy = ofType(evaluation, resourceTypes.secretPolicy).find(
    (candidate) => candidate.inputs.secretArn === secret.computed?.arn,
  );
  return parsePolicy(policy?.inputs.policy);
}

/** Every resource under a component, at any depth. */
export function descendantsOf(evaluation: StackEvaluation, component: RecordedResource): RecordedResource[] {
  return childrenOf(evaluation, component).flatMap((child) => [child, ...descendantsOf(evaluation, child)]);
}
