import type { RecordedResource, StackEvaluation } from "../../infra/offline/evaluate";
import { statementsOf } from "../../infra/policy/iam-document";
import { keyRoles, type KeyRoles } from "../../infra/policy/kms-roles";
import { mockReferences, type ReferenceIndex } from "../../infra/policy/offline/references";
import { isSecp256k1Signer, isSigningKey } from "../../infra/policy/rules/kms";
import { asNumber, asRecord, asString, asStrings, jobName } from "../../infra/policy/rules/props";
import { jobNames } from "../../lambdas/contract";
import { resourceTypes as types } from "../../infra/offline/resource-types";

/**
 * What the checklist, the diagram, the custody section and the cost estimate
 * need to know about a stack, read once from the recorded resources: the
 * jobs and what each touches, the keys and who holds them, alarms, tables,
 * secrets, network egress, the log pipeline.
 */

export { types };

/** One permission of a job's role, with the stack resources it names. */
export interface Permission {
  readonly sid: string | undefined;
  readonly actions: readonly string[];
  readonly targets: readonly RecordedResource[];
}

export interface JobFacts {
  readonly job: string;
  readonly fn: RecordedResource;
  readonly env: Readonly<Record<string, string>>;
  readonly role: RecordedResource | undefined;
  readonly permissions: readonly Permission[];
  readonly schedule: RecordedResource | undefined;
  readonly logGroup: RecordedResource | undefined;
  readonly deadLetterQueue: RecordedResource | undefined;
}

export interface KeyFacts {
  readonly key: RecordedResource;
  readonly alias: string | undefined;
  readonly signing: boolean;
  readonly secp256k1: boolean;
  readonly roles: KeyRoles;
}

export interface AlarmFacts {
  readonly alarm: RecordedResource;
  readonly metric: string | undefined;
  readonly threshold: number | undefined;
  readonly comparison: string | undefined;
  readonly actions: readonly string[];
  readonly actionsEnabled: boolean;
}

export interface StackFacts {
  readonly evaluation: StackEvaluation;
  readonly refs: ReferenceIndex;
  readonly custom: readonly RecordedResource[];
  readonly jobs: readonly JobFacts[];
  /** The jobs that talk to the chain (the metrics catalogue's jobs); the log shipper does not. */
  readonly chainJobs: readonly JobFacts[];
  readonly keys: readonly KeyFacts[];
  readonly alarms: readonly AlarmFacts[];
  ofType(type: string): RecordedResource[];
  /** The top-level component a resource belongs to (its name), for grouping. */
  componentOf(resource: RecordedResource): string;
  /** The resource a string (id, ARN, name) refers to. */
  resolve(value: unknown): RecordedResource | undefined;
}

function environmentOf(fn: RecordedResource): Record<string, string> {
  const variables = asRecord(asRecord(fn.inputs.environment).variables);
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
}

function permissionsOf(
  role: RecordedResource | undefined,
  policies: readonly RecordedResource[],
  resolve: (v: unknown) => RecordedResource | undefined,
): Permission[] {
  if (!role) return [];
  return policies
    .filter((policy) => resolve(policy.inputs.role)?.urn === role.urn)
    .flatMap((policy) =>
      statementsOf(policy.inputs.policy)
        .filter((statement) => statement.effect === "Allow")
        .map((statement) => ({
          sid: statement.sid,
          actions: statement.actions,
          targets: statement.resources.map(resolve).filter((r): r is RecordedResource => r !== undefined),
        })),
    );
}

/** Registration order varies between runs under mocks; sorting by URN keeps reports stable. */
export const byUrn = (a: RecordedResource, b: RecordedResource) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0);

export function stackFacts(evaluation: StackEvaluation): StackFacts {
  const resources = [...evaluation.resources].sort(byUrn);
  const refs = mockReferences(resources, evaluation.config.aws.region);
  const custom = resources.filter((r) => r.custom);
  const ofType = (type: string) => custom.filter((r) => r.type === type);
  const resolve = (value: unknown): RecordedResource | undefined =>
    typeof value === "string" && value !== "" ? refs.resolve(value) : undefined;
  const urnIndex = new Map(resources.map((r) => [r.urn, r]));

  const componentOf = (resource: RecordedResource): string => {
    let current: RecordedResource | undefined = resource;
    let top = resource;
    while (current?.parent && urnIndex.get(current.parent)?.type !== "pulumi:pulumi:Stack") {
      current = urnIndex.get(current.parent);
      if (current) top = current;
    }
    return top.custom ? "(stack)" : top.name;
  };

  const schedules = ofType(types.schedule);
  const logGroups = ofType(types.logGroup);
  const rolePolicies = ofType(types.rolePolicy);
  const jobs = ofType(types.function)
    .map((fn): JobFacts => {
      const role = resolve(fn.inputs.role);
      const functionName = asString(fn.computed?.name) ?? asString(fn.inputs.name);
      const loggingGroup = asString(asRecord(fn.inputs.loggingConfig).logGroup);
      return {
        job: jobName(fn.inputs as Record<string, unknown>, fn.name),
        fn,
        env: environmentOf(fn),
        role,
        permissions: permissionsOf(role, rolePolicies, resolve),
        schedule: schedules.find((schedule) => resolve(asRecord(schedule.inputs.target).arn)?.urn === fn.urn),
        logGroup:
          (loggingGroup
            ? logGroups.find((group) => group.inputs.name === loggingGroup || resolve(loggingGroup)?.urn === group.urn)
            : undefined) ??
          logGroups.find((group) => functionName !== undefined && group.inputs.name === `/aws/lambda/${functionName}`),
        deadLetterQueue: resolve(asRecord(fn.inputs.deadLetterConfig).targetArn),
      };
    })
    .sort((a, b) => a.job.localeCompare(b.job));

  const aliases = ofType(types.alias);
  const keys = ofType(types.key).map((key): KeyFacts => ({
    key,
    alias: asString(aliases.find((alias) => resolve(alias.inputs.targetKeyId)?.urn === key.urn)?.inputs.name),
    signing: isSigningKey(key.inputs),
    secp256k1: isSecp256k1Signer(key.inputs),
    roles: keyRoles(key.inputs.policy),
  }));

  const alarms = ofType(types.alarm).map((alarm): AlarmFacts => ({
    alarm,
    metric: asString(alarm.inputs.metricName),
    threshold: asNumber(alarm.inputs.threshold),
    comparison: asString(alarm.inputs.comparisonOperator),
    actions: asStrings(alarm.inputs.alarmActions),
    actionsEnabled: alarm.inputs.actionsEnabled !== false,
  }));

  const chainJobs = jobs.filter((job) => (jobNames as readonly string[]).includes(job.job));
  return { evaluation, refs, custom, jobs, chainJobs, keys, alarms, ofType, componentOf, resolve };
}
