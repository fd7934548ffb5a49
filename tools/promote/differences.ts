import type { ConfigSource, KitConfig } from "../../infra/config";
import type { RecordedResource, StackEvaluation } from "../../infra/offline/mock-harness";
import { classifyConfigKey, classifySetting, endpointClassification, perZoneTypes, type Classification } from "./classify";
import { flatten, normalizer } from "./flatten";

/**
 * The differences between the stack being promoted from and the one being
 * promoted to: config keys as written in the stack files, resources only in
 * one stack, and settings of the same resource that differ. Each carries an
 * id (for `--ack`) and whether it is expected.
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

export function configDifferences(from: StackSide, to: StackSide): Difference[] {
  const flat = (side: StackSide) => {
    const out = new Map<string, string>();
    for (const [key, value] of Object.entries(side.source.values)) {
      const secret = side.source.secretKeys.has(key);
      for (const [path, text] of flatten(value, key)) out.set(path, secret ? "(secret)" : text);
    }
    return out;
  };
  const a = flat(from);
  const b = flat(to);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changed = keys
    .filter((key) => a.get(key) !== b.get(key))
    .map((key) => ({
      id: `config:${key}`,
      kind: "config" as const,
      subject: key,
      from: a.get(key),
      to: b.get(key),
      ...classifyConfigKey(key, b.get(key), to.config.environment),
    }));
  // A production endpoint left equal to a staging-looking one is no difference at all, and still wrong.
  const unchangedEndpoints = keys
    .filter((key) => a.get(key) === b.get(key) && /^boson-kit:(alerts\.|webhooks\.endpoints|gcp\.project)/.test(key))
    .map((key) => ({ key, classification: classifyConfigKey(key, b.get(key), to.config.environment) }))
    .filter(({ classification }) => !classification.expected)
    .map(({ key, classification }) => ({
      id: `config:${key}`,
      kind: "config" as const,
      subject: key,
      from: a.get(key),
      to: b.get(key),
      expected: false,
      why: `${classification.why}, and is the same as in ${from.config.stack}`,
    }));
  return [...changed, ...unchangedEndpoints];
}

const resourceKey = (resource: RecordedResource) => `${resource.type}::${resource.name}`;

/** Each input path's raw value (secrets hidden) and its value with stack names and configIds normalized. */
function settings(resource: RecordedResource, normalize: (text: string) => string): Map<string, { raw: string; normalized: string }> {
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
  const index = (side: StackSide) => new Map(side.evaluation.resources.filter((r) => r.custom).map((r) => [resourceKey(r), r]));
  const a = index(from);
  const b = index(to);
  const zones = `${from.config.aws.availabilityZones} -> ${to.config.aws.availabilityZones}`;
  const differences: Difference[] = [];

  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const before = a.get(key);
    const after = b.get(key);
    if (!before || !after) {
      const present = (after ?? before) as RecordedResource;
      const side = after ? to.config.stack : from.config.stack;
      let classification: Classification = { expected: false, why: `declared only in ${side}: the same program should declare the same resources` };
      if (perZoneTypes.has(present.type) && from.config.aws.availabilityZones !== to.config.aws.availabilityZones) {
        classification = { expected: true, why: `availability zones: ${zones}` };
      } else if (present.name.startsWith("assistant-signer-replica") && after && to.config.signer.replicaRegion !== undefined) {
        classification = { expected: true, why: `signer replica in ${to.config.signer.replicaRegion}` };
      } else if (present.type === "aws:sns/topicSubscription:TopicSubscription") {
        classification = after ? endpointClassification(String(after.inputs.endpoint), to.config.environment) : { expected: true, why: "environment endpoints" };
      }
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
        ...classifySetting(after.type, path, toValue, to.config.environment),
      });
    }
  }
  return differences;
}
