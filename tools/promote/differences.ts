import type { ConfigSource, KitConfig } from "../../infra/config";
import type { RecordedResource, StackEvaluation } from "../../infra/offline/evaluate";
import {
  classifyConfigPath,
  classifyPresence,
  classifySetting,
  expected,
  perZoneTypes,
  policyOnlyAddsResources,
  suspicious,
  type Classification,
} from "./classify";
import { flatten, normalizer } from "./flatten";

/**
 * The differences between the stack being promoted from and the one being
 * promoted to: the effective config (defaults applied, so a value left at
 * its default is no difference), resources only in one stack, and settings
 * of the same resource that differ. Each carries an id (for `--ack`), its
 * level (expected, noted, suspicious) and why.
 */

export interface Difference extends Classification {
  /** Stable id to acknowledge a suspicious difference with `--ack <id>`. */
  readonly id: string;
  readonly kind: "config" | "resource" | "setting";
  readonly subject: string;
  readonly from: string | undefined;
  readonly to: string | undefined;
}

export interface StackSide {
  readonly source: ConfigSource;
  readonly config: KitConfig;
  readonly evaluation: StackEvaluation;
}

/** Effective config paths that are not settings: names, secrets, and what the offline plan substituted. */
const notCompared = new Set(["project", "stack", "environment", "rpc", "placeholders"]);

/** The config key a person edits for an effective config path. */
export function configKeyOf(path: string): string {
  const renamed: Record<string, string> = {
    "aws.region": "aws:region",
    "protocol.diamond": "boson-kit:protocolDiamond",
    "protocol.subgraphUrl": "boson-kit:subgraphUrl",
  };
  if (renamed[path]) return renamed[path];
  const aws = /^aws\.(availabilityZones|kmsAdministrators)(.*)$/.exec(path);
  if (aws) return `boson-kit:${aws[1]}${aws[2]}`;
  return `boson-kit:${path}`;
}

function effectiveConfig(side: StackSide): Map<string, string> {
  const values = Object.fromEntries(Object.entries(side.config).filter(([key]) => !notCompared.has(key)));
  return flatten(values);
}

export function configDifferences(from: StackSide, to: StackSide): Difference[] {
  const a = effectiveConfig(from);
  const b = effectiveConfig(to);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const difference = (path: string) => ({
    id: `config:${configKeyOf(path)}`,
    kind: "config" as const,
    subject: configKeyOf(path),
    from: a.get(path),
    to: b.get(path),
  });
  const changed = paths
    .filter((path) => a.get(path) !== b.get(path))
    .map((path) => ({
      ...difference(path),
      ...classifyConfigPath(path, a.get(path), b.get(path), to.config.environment),
    }));
  // A production endpoint left equal to a staging-looking one is no difference at all, and still wrong.
  const unchangedEndpoints = paths
    .filter((path) => a.get(path) === b.get(path) && /^(alerts\.|webhooks\.endpoints|gcp\.project)/.test(path))
    .map((path) => ({
      path,
      classification: classifyConfigPath(path, a.get(path), b.get(path), to.config.environment),
    }))
    .filter(({ classification }) => !classification.expected)
    .map(({ path, classification }) => ({
      ...difference(path),
      ...suspicious(`${classification.why}, and is the same as in ${from.config.stack}`),
    }));
  return [...changed, ...unchangedEndpoints];
}

const resourceKey = (resource: RecordedResource) => `${resource.type}::${resource.name}`;

/** Each input path's raw value (secrets hidden) and its value with stack names and configIds normalized. */
function settings(
  resource: RecordedResource,
  normalize: (text: string) => string,
): Map<string, { raw: string; normalized: string }> {
  const out = new Map<string, { raw: string; normalized: string }>();
  for (const [path, value] of flatten(resource.inputs)) {
    const secret = resource.secretInputs.some((secretPath) => path === secretPath || path.startsWith(`${secretPath}.`));
    out.set(path, secret ? { raw: "(secret)", normalized: "(secret)" } : { raw: value, normalized: normalize(value) });
  }
  return out;
}

export function resourceDifferences(from: StackSide, to: StackSide): Difference[] {
  const normalize = normalizer([
    [from.config.stack, "<stack>"],
    [to.config.stack, "<stack>"],
    [from.config.configId, "<configId>"],
    [to.config.configId, "<configId>"],
  ]);
  const index = (side: StackSide) =>
    new Map(side.evaluation.resources.filter((r) => r.custom).map((r) => [resourceKey(r), r]));
  const a = index(from);
  const b = index(to);
  const differences: Difference[] = [];
  const replicaKeyArns = new Set(
    to.evaluation.resources
      .filter((resource) => resource.type === "aws:kms/replicaKey:ReplicaKey")
      .map((resource) => String(resource.computed?.arn)),
  );

  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const before = a.get(key);
    const after = b.get(key);
    if (!before || !after) {
      const present = (after ?? before) as RecordedResource;
      const perZone =
        perZoneTypes.has(present.type) && from.config.aws.availabilityZones !== to.config.aws.availabilityZones;
      const classification = classifyPresence(present.type, after !== undefined, perZone);
      differences.push({
        id: `resource:${key}`,
        kind: "resource",
        subject: `${present.type} ${present.name}`,
        from: before ? "declared" : undefined,
        to: after ? "declared" : undefined,
        ...classification,
      });
      continue;
    }
    const x = settings(before, normalize);
    const y = settings(after, normalize);
    for (const path of [...new Set([...x.keys(), ...y.keys()])].sort()) {
      // Compared normalized (the stack's own name may appear in names), shown and classified raw.
      if (x.get(path)?.normalized === y.get(path)?.normalized) continue;
      const toValue = y.get(path)?.raw;
      differences.push({
        id: `setting:${key}.${path}`,
        kind: "setting",
        subject: `${after.type} ${after.name} ${path}`,
        from: x.get(path)?.raw,
        to: toValue,
        ...(after.type === "aws:iam/rolePolicy:RolePolicy" &&
        path === "policy" &&
        policyOnlyAddsResources(x.get(path)?.raw, toValue, replicaKeyArns)
          ? expected(
              "the signing jobs may also use the signer's replica in signer.replicaRegion (the same key, under the same key policy)",
            )
          : classifySetting(after.type, path, x.get(path)?.raw, toValue, to.config.environment)),
      });
    }
  }
  return differences;
}
