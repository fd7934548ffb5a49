import { createHash } from "node:crypto";
import { type RecordedResource } from "../../offline/evaluate";
import { mockAccountId } from "../../offline/mocks";

/**
 * Which recorded resource another one refers to, offline. Under the Pulumi
 * engine a stack policy gets each resource's `id` in its outputs and the
 * property dependencies from the state. Offline, a resource refers to another
 * when one of its input strings is an id or ARN the mocks gave that other
 * resource: the harness records those as `computed` (id, arn, keyId...).
 * For records without `computed` (hand-made ones), they are derived the way
 * the mocks make them: id = sha256(`${type}::${name}`)[0..16],
 * arn = arn:aws:<service>:<region>:<account>:<physical name>.
 */

export interface ReferenceIndex {
  /** The id the mocks gave a resource. */
  idOf(resource: RecordedResource): string;
  /** The ARN the mocks gave a resource, when it is an AWS resource. */
  arnOf(resource: RecordedResource): string | undefined;
  /** Top-level input name -> URNs of the resources that input refers to. */
  propertyDependencies(resource: RecordedResource): Record<string, string[]>;
  /** The resource a string (id or ARN) refers to. */
  resolve(value: string): RecordedResource | undefined;
}

export function mockId(type: string, name: string): string {
  return createHash("sha256").update(`${type}::${name}`).digest("hex").slice(0, 16);
}

/** What the mocks computed for a resource (absent on hand-made records). */
const computedOf = (resource: RecordedResource): Readonly<Record<string, unknown>> => resource.computed ?? {};

function idOf(resource: RecordedResource): string {
  const id = computedOf(resource).id;
  return typeof id === "string" ? id : mockId(resource.type, resource.name);
}

function mockArn(resource: RecordedResource, region: string): string | undefined {
  const recorded = computedOf(resource).arn;
  if (typeof recorded === "string") return recorded;
  const [provider, module] = resource.type.split(":");
  if (provider !== "aws") return undefined;
  const id = mockId(resource.type, resource.name);
  const physicalName =
    typeof resource.inputs.name === "string" ? resource.inputs.name : `${resource.name}-${id.slice(0, 7)}`;
  if (resource.type === "aws:kms/key:Key") return `arn:aws:kms:${region}:${mockAccountId}:key/${id}`;
  if (resource.type === "aws:iam/role:Role") return `arn:aws:iam::${mockAccountId}:role/${physicalName}`;
  const service = (module ?? "").split("/")[0] ?? "";
  return `arn:aws:${service}:${region}:${mockAccountId}:${physicalName}`;
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

export function mockReferences(resources: readonly RecordedResource[], region: string): ReferenceIndex {
  const byIdentifier = new Map<string, RecordedResource>();
  for (const resource of resources.filter((r) => r.custom)) {
    // Every computed string (id, arn, keyId, allocationId, url...) names this resource.
    for (const value of [idOf(resource), mockArn(resource, region), ...strings(computedOf(resource))]) {
      if (value && value.length >= 8 && !byIdentifier.has(value)) byIdentifier.set(value, resource);
    }
  }
  // Values embed ids and ARNs in larger strings too: JSON policies, "key/<id>" suffixes, ARN:* wildcards.
  const resolve = (value: string): RecordedResource | undefined => {
    const exact = byIdentifier.get(value) ?? byIdentifier.get(value.replace(/:\*$/, ""));
    if (exact) return exact;
    const keyId = /key\/([0-9a-f]{16})$/.exec(value)?.[1];
    return keyId ? byIdentifier.get(keyId) : undefined;
  };
  const referencesIn = (value: unknown): string[] => {
    const urns = new Set<string>();
    for (const text of strings(value)) {
      const direct = resolve(text);
      if (direct) urns.add(direct.urn);
      else if (text.startsWith("{")) {
        // Policy documents are JSON text: look inside.
        try {
          for (const inner of strings(JSON.parse(text))) {
            const found = resolve(inner);
            if (found) urns.add(found.urn);
          }
        } catch {
          // Not JSON: nothing to resolve.
        }
      }
    }
    return [...urns];
  };
  return {
    idOf,
    arnOf: (resource) => mockArn(resource, region),
    resolve,
    propertyDependencies: (resource) =>
      Object.fromEntries(
        Object.entries(resource.inputs)
          .map(([key, value]) => [key, referencesIn(value).filter((urn) => urn !== resource.urn)] as const)
          .filter(([, urns]) => urns.length > 0),
      ),
  };
}
