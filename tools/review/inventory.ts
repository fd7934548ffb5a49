import { summarizeResource } from "../../infra/offline/resource-summary";
import type { StackFacts } from "./stack-facts";

/** The resource inventory: every cloud resource, grouped by the component that declares it. */

export interface InventoryGroup {
  readonly component: string;
  readonly resources: readonly { readonly type: string; readonly name: string; readonly settings: string }[];
}

export function inventoryOf(facts: StackFacts): InventoryGroup[] {
  const groups = new Map<string, InventoryGroup["resources"][number][]>();
  for (const resource of facts.custom.filter((r) => !r.type.startsWith("pulumi:providers:"))) {
    const component = facts.componentOf(resource);
    const entry = { type: resource.type, name: resource.name, settings: summarizeResource(resource) };
    groups.set(component, [...(groups.get(component) ?? []), entry]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([component, resources]) => ({ component, resources }));
}
