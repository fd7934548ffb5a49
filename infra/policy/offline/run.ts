import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import type { RecordedResource } from "../../offline/evaluate";
import { isStackPolicy, policyMapping, type KitPolicy, type PolicyMapping } from "../kit-policy";
import type { ReferenceIndex } from "./references";

/**
 * Runs the policy pack in-process against the resources the mock harness
 * recorded, building the same argument objects the @pulumi/policy analyzer
 * server builds (type, name, urn, props, isType/asType, getConfig,
 * notApplicable) and collecting `reportViolation` calls. `isType` follows
 * the SDK: a class matches when its `__pulumiType` equals the resource type,
 * which is what `validateResourceOfType` checks.
 */

export interface PolicyViolation {
  readonly policy: string;
  readonly message: string;
  readonly urn: string | undefined;
  readonly resource: string | undefined;
  readonly enforcementLevel: EnforcementLevel;
}

export interface PolicyOutcome {
  readonly policy: string;
  readonly description: string;
  readonly kind: "resource" | "stack";
  readonly enforcementLevel: EnforcementLevel;
  readonly mapping: PolicyMapping;
  /** not-applicable: the stack has no resource of the types the policy checks. */
  readonly status: "pass" | "fail" | "not-applicable";
  /** Names of the resources the policy checked. */
  readonly checked: readonly string[];
  readonly violations: readonly PolicyViolation[];
}

export interface RunOptions {
  /** Per-policy configuration, as `--policy-pack-config` would give it. */
  readonly config?: Readonly<Record<string, Record<string, unknown>>>;
  /** How resources refer to each other (ids for stack policies); without it, props carry no `id`. */
  readonly references?: ReferenceIndex;
}

class NotApplicable extends Error {}

const throwNotApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

function isTypeOf(type: string, resourceClass: unknown): boolean {
  const pulumiType = (resourceClass as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  if (typeof pulumiType === "string" && pulumiType !== "") return pulumiType === type;
  const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean } | undefined)?.isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/** Schema defaults, then the caller's configuration: what the engine hands `getConfig`. */
function configFor(policy: KitPolicy, options: RunOptions): Record<string, unknown> {
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {})
      .filter(([, schema]) => (schema as { default?: unknown }).default !== undefined)
      .map(([key, schema]) => [key, structuredClone((schema as { default?: unknown }).default)]),
  );
  return { ...defaults, ...(options.config?.[policy.name] ?? {}) };
}

const resourceOptions = (resource: RecordedResource) => ({
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
  ...(resource.parent ? { parent: resource.parent } : {}),
});

function resourceArgs(resource: RecordedResource, getConfig: () => Record<string, unknown>): ResourceValidationArgs {
  const props = structuredClone(resource.inputs) as Record<string, unknown>;
  return {
    type: resource.type,
    props,
    urn: resource.urn,
    name: resource.name,
    opts: resourceOptions(resource),
    stackTags: new Map(),
    isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
    // The SDK's own signature: the props typed as the class's args when the type matches.
    asType: ((resourceClass: unknown) =>
      isTypeOf(resource.type, resourceClass) ? props : undefined) as ResourceValidationArgs["asType"],
    getConfig: getConfig as ResourceValidationArgs["getConfig"],
    notApplicable: throwNotApplicable,
  };
}

function stackResources(
  resources: readonly RecordedResource[],
  references: ReferenceIndex | undefined,
): PolicyResource[] {
  const built = new Map<string, PolicyResource>();
  for (const resource of resources) {
    const props = structuredClone(resource.inputs) as Record<string, unknown>;
    // Under the engine, stack policies see outputs, which carry the cloud id.
    if (references && resource.custom) props.id = references.idOf(resource);
    built.set(resource.urn, {
      type: resource.type,
      props,
      urn: resource.urn,
      name: resource.name,
      opts: resourceOptions(resource),
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
      asType: ((resourceClass: unknown) =>
        isTypeOf(resource.type, resourceClass) ? props : undefined) as PolicyResource["asType"],
    });
  }
  for (const resource of resources) {
    const policyResource = built.get(resource.urn);
    if (!policyResource) continue;
    const parent = resource.parent ? built.get(resource.parent) : undefined;
    if (parent) policyResource.parent = parent;
    const byProperty = references?.propertyDependencies(resource) ?? {};
    for (const [property, urns] of Object.entries(byProperty)) {
      policyResource.propertyDependencies[property] = urns
        .map((urn) => built.get(urn))
        .filter((r): r is PolicyResource => r !== undefined);
    }
    policyResource.dependencies = [...new Set(Object.values(policyResource.propertyDependencies).flat())];
  }
  return [...built.values()];
}

async function runResourcePolicy(
  policy: KitPolicy & { validateResource?: ResourceValidation | ResourceValidation[] },
  resources: readonly RecordedResource[],
  options: RunOptions,
  report: (violation: Omit<PolicyViolation, "policy" | "enforcementLevel">) => void,
): Promise<string[]> {
  const validations =
    policy.validateResource === undefined
      ? []
      : Array.isArray(policy.validateResource)
        ? policy.validateResource
        : [policy.validateResource];
  const checked: string[] = [];
  for (const resource of resources.filter((r) => r.custom)) {
    let applied = false;
    for (const validation of validations) {
      // The SDK's fast path: a typed validation carries its Pulumi type.
      const pulumiType = (validation as { __pulumiType?: unknown }).__pulumiType;
      if (typeof pulumiType === "string" && pulumiType !== resource.type) continue;
      const reportViolation: ReportViolation = (message) =>
        report({ message, urn: resource.urn, resource: resource.name });
      try {
        await validation(
          resourceArgs(resource, () => configFor(policy, options)),
          reportViolation,
        );
        applied = true;
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
      }
    }
    if (applied) checked.push(resource.name);
  }
  return checked;
}

/** Evaluates each policy against the recorded resources; throws if a policy itself crashes. */
export async function runPolicies(
  policies: readonly KitPolicy[],
  resources: readonly RecordedResource[],
  options: RunOptions = {},
): Promise<PolicyOutcome[]> {
  const outcomes: PolicyOutcome[] = [];
  const urnNames = new Map(resources.map((r) => [r.urn, r.name]));
  for (const policy of policies) {
    const enforcementLevel = policy.enforcementLevel ?? "mandatory";
    if (enforcementLevel === "disabled") continue;
    const violations: PolicyViolation[] = [];
    const report = (violation: Omit<PolicyViolation, "policy" | "enforcementLevel">) =>
      violations.push({ policy: policy.name, enforcementLevel, ...violation });
    let checked: string[];
    let applicable = true;
    if (isStackPolicy(policy)) {
      const args: StackValidationArgs = {
        resources: stackResources(resources, options.references),
        stackTags: new Map(),
        getConfig: (() => configFor(policy, options)) as StackValidationArgs["getConfig"],
        notApplicable: throwNotApplicable,
      };
      try {
        await policy.validateStack(args, (message, urn) =>
          report({ message, urn, resource: urn ? urnNames.get(urn) : undefined }),
        );
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
        applicable = false;
      }
      checked = applicable ? ["(stack)"] : [];
    } else {
      checked = await runResourcePolicy(policy, resources, options, report);
      applicable = checked.length > 0;
    }
    outcomes.push({
      policy: policy.name,
      description: policy.description,
      kind: isStackPolicy(policy) ? "stack" : "resource",
      enforcementLevel,
      mapping: policyMapping(policy),
      status: violations.length > 0 ? "fail" : applicable ? "pass" : "not-applicable",
      checked,
      violations,
    });
  }
  return outcomes;
}

/** Mandatory violations block a deployment; advisory ones are reported only. */
export function blockingViolations(outcomes: readonly PolicyOutcome[]): PolicyViolation[] {
  return outcomes
    .flatMap((outcome) => outcome.violations)
    .filter((violation) => violation.enforcementLevel === "mandatory");
}
