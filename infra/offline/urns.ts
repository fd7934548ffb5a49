import type { RecordedAlias, RecordedResource } from "./evaluate";

/**
 * URN bookkeeping for refactors: which URNs of an earlier evaluation a new
 * evaluation keeps, either unchanged or through `aliases`. The engine, not the
 * SDK, turns alias specs into URNs (the SDK sends the specs once the monitor
 * supports them, as the mock monitor does), so this follows the engine's
 * rules: unset spec fields default to the resource's own, and every alias of a
 * parent yields an alias of each child, with the parent's name prefix swapped
 * in the child's name (the `<parent>-<child>` naming convention).
 *
 * URNs here are in the form the mock monitor gives them, which the snapshot
 * holds: the type part carries only the parent's own type (the stack's too),
 * where the engine writes the whole chain of ancestor types below the stack.
 * The two forms pin the same tree: a change of an ancestor's type changes that
 * ancestor's URN, which must then be aliased, and its children inherit the alias.
 */

const rootStackType = "pulumi:pulumi:Stack";

interface UrnParts {
  readonly stack: string;
  readonly project: string;
  /** `parentType$...$type`, as in the URN. */
  readonly qualifiedType: string;
  readonly name: string;
}

export function parseUrn(urn: string): UrnParts {
  const match = /^urn:pulumi:([^:]*)::([^:]*)::(.+?)::(.*)$/.exec(urn);
  if (!match) throw new Error(`not a Pulumi URN: ${urn}`);
  const [, stack = "", project = "", qualifiedType = "", name = ""] = match;
  return { stack, project, qualifiedType, name };
}

/** The type a URN names: the last segment of its qualified type. */
export function urnType(urn: string): string {
  return parseUrn(urn).qualifiedType.split("$").pop() ?? "";
}

/** A URN in the mock monitor's form: the parent's own type, then the resource's type. */
export function createUrn(
  stack: string,
  project: string,
  parentUrn: string | undefined,
  type: string,
  name: string,
): string {
  const prefix = parentUrn === undefined ? "" : `${urnType(parentUrn)}$`;
  return `urn:pulumi:${stack}::${project}::${prefix}${type}::${name}`;
}

function collapseAlias(alias: RecordedAlias, resource: RecordedResource, stackUrn: string): string {
  if ("urn" in alias) return alias.urn;
  const { stack, project } = parseUrn(stackUrn);
  // Without a parent, a resource sits under the root stack, as if it were the parent.
  const parent = alias.noParent ? stackUrn : (alias.parentUrn ?? resource.parent);
  return createUrn(
    alias.stack ?? stack,
    alias.project ?? project,
    parent,
    alias.type ?? resource.type,
    alias.name ?? resource.name,
  );
}

function inheritedChildAlias(child: { type: string; name: string }, parentName: string, parentAlias: string): string {
  const { stack, project, name: parentAliasName } = parseUrn(parentAlias);
  const name = child.name.startsWith(parentName) ? parentAliasName + child.name.slice(parentName.length) : child.name;
  return createUrn(stack, project, parentAlias, child.type, name);
}

/** Every URN each resource answers to besides its own, by the resource's URN. */
export function aliasUrns(resources: readonly RecordedResource[]): Map<string, string[]> {
  const stackResource = resources.find((resource) => resource.type === rootStackType);
  if (!stackResource) throw new Error("the evaluation has no root stack resource");
  const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
  const aliases = new Map<string, string[]>();
  const aliasesOf = (resource: RecordedResource): string[] => {
    const known = aliases.get(resource.urn);
    if (known) return known;
    const own = (resource.aliases ?? []).map((alias) => collapseAlias(alias, resource, stackResource.urn));
    const parent = resource.parent === undefined ? undefined : byUrn.get(resource.parent);
    const inherited =
      parent === undefined
        ? []
        : aliasesOf(parent).flatMap((parentAlias) => [
            inheritedChildAlias(resource, parent.name, parentAlias),
            ...own.map((ownAlias) =>
              inheritedChildAlias({ type: urnType(ownAlias), name: parseUrn(ownAlias).name }, parent.name, parentAlias),
            ),
          ]);
    const all = [...new Set([...own, ...inherited])];
    aliases.set(resource.urn, all);
    return all;
  };
  resources.forEach(aliasesOf);
  return aliases;
}

export interface UrnComparison {
  /** Earlier URNs that no resource has and no resource aliases: `pulumi up` would replace them. */
  readonly lost: readonly string[];
  /** Earlier URNs a resource now answers to through `aliases`. */
  readonly aliased: readonly { readonly before: string; readonly now: string }[];
  /** URNs that are new and alias nothing earlier. */
  readonly added: readonly string[];
}

/** Compares an evaluation's resources with the URNs of an earlier one. */
export function compareUrns(before: readonly string[], resources: readonly RecordedResource[]): UrnComparison {
  const current = new Set(resources.map((resource) => resource.urn));
  const claimedBy = new Map<string, string>();
  for (const [urn, aliases] of aliasUrns(resources)) {
    for (const alias of aliases) if (!current.has(alias) && !claimedBy.has(alias)) claimedBy.set(alias, urn);
  }
  const earlier = new Set(before);
  const lost = before.filter((urn) => !current.has(urn) && !claimedBy.has(urn));
  const aliased = before.flatMap((urn) => {
    const now = current.has(urn) ? undefined : claimedBy.get(urn);
    return now === undefined ? [] : [{ before: urn, now }];
  });
  const aliasedNow = new Set(aliased.map((entry) => entry.now));
  const added = [...current].filter((urn) => !earlier.has(urn) && !aliasedNow.has(urn));
  return { lost, aliased, added };
}
