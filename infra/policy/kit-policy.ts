import type { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { isChecklistId, type ChecklistId } from "./checklist";

/**
 * Every kit policy says which checklist items it enforces and, where one
 * exists, which Checkov / Trivy rule checks the same thing. The mapping
 * travels in the policy's own `tags` (the SDK's metadata field, shown by
 * Pulumi Cloud), so the pack needs no extra properties the engine does not
 * know; `policyMapping` reads it back for the report.
 */
export interface PolicyMapping {
  readonly checklist: readonly ChecklistId[];
  readonly checkov: readonly string[];
  readonly trivy: readonly string[];
}

export type KitPolicy = ResourceValidationPolicy | StackValidationPolicy;

type MappingInput = Partial<PolicyMapping> & Pick<PolicyMapping, "checklist">;

function tagsFor(mapping: MappingInput): string[] {
  return [
    ...mapping.checklist.map((id) => `checklist:${id}`),
    ...(mapping.checkov ?? []).map((id) => `checkov:${id}`),
    ...(mapping.trivy ?? []).map((id) => `trivy:${id}`),
  ];
}

/** A resource policy, mandatory unless it says otherwise, with its mapping in its tags. */
export function resourcePolicy(
  mapping: MappingInput,
  policy: Omit<ResourceValidationPolicy, "tags">,
): ResourceValidationPolicy {
  return { enforcementLevel: "mandatory", ...policy, tags: tagsFor(mapping) };
}

/** A stack policy (it needs more than one resource to decide), mandatory unless it says otherwise. */
export function stackPolicy(mapping: MappingInput, policy: Omit<StackValidationPolicy, "tags">): StackValidationPolicy {
  return { enforcementLevel: "mandatory", ...policy, tags: tagsFor(mapping) };
}

export function policyMapping(policy: Pick<Policy, "tags">): PolicyMapping {
  const tagged = (prefix: string) =>
    (policy.tags ?? []).filter((tag) => tag.startsWith(`${prefix}:`)).map((tag) => tag.slice(prefix.length + 1));
  return {
    checklist: tagged("checklist").filter(isChecklistId),
    checkov: tagged("checkov"),
    trivy: tagged("trivy"),
  };
}

export function isStackPolicy(policy: KitPolicy): policy is StackValidationPolicy {
  return typeof (policy as StackValidationPolicy).validateStack === "function";
}
