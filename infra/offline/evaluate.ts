import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { parseKitConfig, type KitConfig } from "../config";
import { kitProgram } from "../program";
import { kitMocks, type ComputedOutputs } from "./mocks";
import { readStackFile } from "./stack-file";

/**
 * The one offline evaluation path: runs a program in-process under the kit's
 * mocks (no CLI, no cloud, no network) and records every resource it
 * declares. The plan, the review, the promotion gate, the tests and the
 * benchmarks all read this record.
 */

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** The parent's URN; the stack for top-level resources. */
  readonly parent: string | undefined;
  /** Component resources group the custom ones; they have no cloud counterpart. */
  readonly custom: boolean;
  /** Inputs as the provider would receive them, secrets unwrapped. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Dotted paths of the inputs that were Pulumi secrets (e.g. `environment.variables.X`). */
  readonly secretInputs: readonly string[];
  /**
   * What the mocks made up for the cloud-computed outputs (arn, keyId,
   * publicIp...), inputs excluded: lets a test follow an ARN in a policy or an
   * environment back to the resource it names. Always set by `evaluateProgram`;
   * optional so hand-built fixtures may leave it out.
   */
  readonly computed?: Readonly<Record<string, unknown>>;
  /** The `aliases` option as the runtime sent it to the engine (see `infra/offline/urns.ts`). */
  readonly aliases?: readonly RecordedAlias[];
  /** The options a reader checks before a deploy: what Pulumi refuses to delete, leaves behind, or replaces delete-first. */
  readonly options?: ResourceOptionsSummary;
  /** URNs this resource waits for (explicit `dependsOn` and the resources whose outputs feed its inputs). */
  readonly dependencies?: readonly string[];
}

export interface ResourceOptionsSummary {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly deleteBeforeReplace: boolean;
}

/** What the evaluation needs of a program's config: its project, stack and AWS region. */
export interface EvaluatedConfig {
  readonly project: string;
  readonly stack: string;
  readonly aws: { readonly region: string };
}

/**
 * One entry of a resource's `aliases` option, as the register request carries
 * it: a whole URN, or a spec whose unset fields default to the resource's own.
 */
export type RecordedAlias =
  | { readonly urn: string }
  | {
      readonly name?: string | undefined;
      readonly type?: string | undefined;
      readonly stack?: string | undefined;
      readonly project?: string | undefined;
      readonly parentUrn?: string | undefined;
      readonly noParent: boolean;
    };

export interface StackEvaluation<C extends EvaluatedConfig = KitConfig> {
  readonly config: C;
  readonly resources: readonly RecordedResource[];
  readonly outputs: Readonly<Record<string, unknown>>;
  /**
   * Every value the mocks made up (ids, ARNs, IPs, public keys, the signer's
   * address, the account and project number): real only after deploy, so
   * what prints offline shows "(known after deploy)" where these appear.
   */
  readonly fabricated: readonly string[];
}

interface AliasMessage {
  getUrn(): string;
  hasSpec(): boolean;
  getSpec():
    | {
        getName(): string;
        getType(): string;
        getStack(): string;
        getProject(): string;
        getParenturn(): string;
        getNoparent(): boolean;
      }
    | undefined;
}

interface RegisterRequest {
  getAliasesList(): AliasMessage[];
  getAliasurnsList(): string[];
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): unknown;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getDependenciesList(): string[];
}

type RegisterCallback = (error: Error | null, response: { getUrn(): string } | undefined) => void;

interface MockMonitorLike {
  registerResource(req: RegisterRequest, callback: RegisterCallback): Promise<void>;
}

/** Empty strings are how the protocol says "unset". */
const unlessEmpty = (value: string): string | undefined => (value === "" ? undefined : value);

function recordedAliases(req: RegisterRequest): RecordedAlias[] {
  const structured = req.getAliasesList().map((alias): RecordedAlias => {
    const spec = alias.hasSpec() ? alias.getSpec() : undefined;
    if (!spec) return { urn: alias.getUrn() };
    return {
      name: unlessEmpty(spec.getName()),
      type: unlessEmpty(spec.getType()),
      stack: unlessEmpty(spec.getStack()),
      project: unlessEmpty(spec.getProject()),
      parentUrn: unlessEmpty(spec.getParenturn()),
      noParent: spec.getNoparent(),
    };
  });
  return [...structured, ...req.getAliasurnsList().map((urn) => ({ urn }))];
}

/**
 * Pulumi's mocks pass neither a resource's parent nor its aliases to
 * `newResource`, so the harness wraps the mock monitor's registerResource to
 * see the request the engine would receive.
 */
function recordRegistrations(into: Omit<RecordedResource, "computed">[]): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (error, response) => {
      if (!error && response) {
        into.push({
          urn: response.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent() || undefined,
          custom: req.getCustom(),
          inputs: pulumi.runtime.deserializeProperties(req.getObject() as never) as Record<string, unknown>,
          secretInputs: [],
          aliases: recordedAliases(req),
          options: {
            protect: req.getProtect(),
            retainOnDelete: req.getRetainondelete(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
          },
          dependencies: req.getDependenciesList(),
        });
      }
      callback(error, response);
    });
}

function isSecretEnvelope(value: unknown): value is { value: unknown } {
  return (
    value !== null &&
    typeof value === "object" &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

/** The dotted paths at which `value` holds a secret envelope. */
function secretPaths(value: unknown, path: string[] = []): string[] {
  if (isSecretEnvelope(value)) return [path.join("."), ...secretPaths(value.value, path)];
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, inner]) => secretPaths(inner, [...path, key]));
  }
  return [];
}

/** Unwraps Pulumi's secret envelopes, which `deserializeProperties` keeps in nested values. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (isSecretEnvelope(value)) return unwrapSecrets(value.value);
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, unwrapSecrets(inner)]));
  }
  return value;
}

/**
 * Assets and archives as a reader needs them: each file's size and hash, not
 * its content (a Lambda bundle is hundreds of kilobytes). Their content is a
 * promise, so this runs once the program has been evaluated.
 */
async function summarizeAssets(value: unknown): Promise<unknown> {
  if (value instanceof pulumi.asset.AssetArchive) {
    const entries = Object.entries(await value.assets);
    return {
      archive: Object.fromEntries(
        await Promise.all(entries.map(async ([name, inner]) => [name, await summarizeAssets(inner)])),
      ),
    };
  }
  if (value instanceof pulumi.asset.FileArchive) return { archive: "file", path: await value.path };
  if (value instanceof pulumi.asset.StringAsset) {
    const text = await value.text;
    return { asset: "string", bytes: Buffer.byteLength(text), sha256: createHash("sha256").update(text).digest("hex") };
  }
  if (value instanceof pulumi.asset.FileAsset) return { asset: "file", path: await value.path };
  if (Array.isArray(value)) return Promise.all(value.map(summarizeAssets));
  if (value !== null && typeof value === "object") {
    const entries = await Promise.all(
      Object.entries(value).map(async ([key, inner]) => [key, await summarizeAssets(inner)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

/**
 * Runs `program(config)` under mocks for `config.stack` and returns what it
 * declared. The program's return value becomes the stack outputs.
 */
export async function evaluateProgram<C extends EvaluatedConfig = KitConfig>(
  config: C,
  program: (config: C) => Record<string, unknown>,
): Promise<StackEvaluation<C>> {
  const resources: Omit<RecordedResource, "computed">[] = [];
  const computed: ComputedOutputs = new Map();
  const fabricated = new Set<string>();
  await pulumi.runtime.setMocks(
    kitMocks(config.aws.region, computed, { fabricated }),
    config.project,
    config.stack,
    false,
    "organization",
  );
  recordRegistrations(resources);
  const outputs = await pulumi.runtime.runInPulumiStack(async () => program(config));
  await pulumi.runtime.disconnect();
  const summarized = await Promise.all(
    resources.map(async (resource) => ({ ...resource, inputs: await summarizeAssets(resource.inputs) })),
  );
  return {
    config,
    resources: summarized.map((resource) => ({
      ...resource,
      inputs: unwrapSecrets(resource.inputs) as Record<string, unknown>,
      secretInputs: secretPaths(resource.inputs),
      computed: computed.get(`${resource.type}::${resource.name}`) ?? {},
    })),
    outputs: (unwrapSecrets(outputs ?? {}) as Record<string, unknown>) ?? {},
    fabricated: [...fabricated].sort((a, b) => b.length - a.length),
  };
}

/** Evaluates the kit's program for a parsed config. */
export function evaluateConfig(config: KitConfig): Promise<StackEvaluation> {
  return evaluateProgram(config, kitProgram);
}

/** Evaluates a stack from its `Pulumi.<stack>.yaml` (in `root`, the project by default). */
export function evaluateStack(stack: string, root?: string): Promise<StackEvaluation> {
  return evaluateConfig(parseKitConfig(readStackFile(stack, root)));
}
