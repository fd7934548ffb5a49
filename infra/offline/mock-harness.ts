import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { KitConfig } from "../config";
import { ethereumAddressFromSpki } from "../definitions/signer-address";

/**
 * Evaluates the Pulumi program in-process with Pulumi's mocks (no CLI, no
 * cloud, no network) and records every resource it declares. The infra tests,
 * the offline plan, the review and the promotion gate all read this record.
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
      readonly name?: string;
      readonly type?: string;
      readonly stack?: string;
      readonly project?: string;
      readonly parentUrn?: string;
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

/** The AWS documentation's example account: a made-up account the plan never prints as real. */
export const mockAccountId = "111122223333";
/** The GCP project number the mocks make up. */
export const mockProjectNumber = "100000000001";

/** A stable fake id, so two evaluations of the same stack compare equal. */
function fakeId(type: string, name: string): string {
  return createHash("sha256").update(`${type}::${name}`).digest("hex").slice(0, 16);
}

/** The mock stand-ins for cloud-computed outputs that components read (ARNs, ids, IPs, keys). */
function computedState(args: pulumi.runtime.MockResourceArgs, region: string): Record<string, unknown> {
  const id = fakeId(args.type, args.name);
  const [provider, module] = args.type.split(":");
  const service = (module ?? "").split("/")[0] ?? "";
  const physicalName = typeof args.inputs.name === "string" ? args.inputs.name : `${args.name}-${id.slice(0, 7)}`;
  const state: Record<string, unknown> = { name: physicalName, ...args.inputs };
  if (provider === "aws") {
    state.arn = `arn:aws:${service}:${region}:${mockAccountId}:${physicalName}`;
  }
  switch (args.type) {
    case "aws:kms/key:Key":
      state.keyId = id;
      state.arn = `arn:aws:kms:${region}:${mockAccountId}:key/${id}`;
      break;
    case "aws:iam/role:Role":
      state.arn = `arn:aws:iam::${mockAccountId}:role/${physicalName}`;
      break;
    case "aws:ec2/eip:Eip":
      // 203.0.113.0/24 is TEST-NET-3 (RFC 5737): never a real address.
      state.publicIp = `203.0.113.${(parseInt(id.slice(0, 2), 16) % 254) + 1}`;
      state.allocationId = `eipalloc-${id.slice(0, 12)}`;
      break;
    case "aws:sqs/queue:Queue":
      state.url = `https://sqs.${region}.amazonaws.com/${mockAccountId}/${physicalName}`;
      break;
    case "aws:kms/alias:Alias":
      state.arn = `arn:aws:kms:${region}:${mockAccountId}:${physicalName}`;
      break;
    case "aws:lambda/function:Function":
      state.arn = `arn:aws:lambda:${region}:${mockAccountId}:function:${physicalName}`;
      state.invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${String(state.arn)}/invocations`;
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      state.arn = `arn:aws:logs:${region}:${mockAccountId}:log-group:${physicalName}`;
      break;
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      state.arn = `arn:aws:cloudwatch:${region}:${mockAccountId}:alarm:${physicalName}`;
      break;
    case "aws:cloudwatch/dashboard:Dashboard":
      state.dashboardArn = `arn:aws:cloudwatch::${mockAccountId}:dashboard/${String(args.inputs.dashboardName ?? physicalName)}`;
      break;
    case "aws:secretsmanager/secret:Secret":
      // Secrets Manager appends six random characters to a secret's ARN.
      state.arn = `arn:aws:secretsmanager:${region}:${mockAccountId}:secret:${physicalName}-${id.slice(0, 6)}`;
      break;
    case "aws:dynamodb/table:Table":
      state.arn = `arn:aws:dynamodb:${region}:${mockAccountId}:table/${physicalName}`;
      break;
    case "aws:scheduler/schedule:Schedule":
      state.arn = `arn:aws:scheduler:${region}:${mockAccountId}:schedule/default/${physicalName}`;
      break;
    case "aws:sns/topic:Topic":
      state.arn = `arn:aws:sns:${region}:${mockAccountId}:${physicalName}`;
      break;
    case "aws:ec2/vpc:Vpc":
      state.defaultSecurityGroupId = `sg-${id.slice(0, 8)}`;
      break;
    case "random:index/randomBytes:RandomBytes": {
      // Deterministic stand-in bytes; the real provider draws them from a CSPRNG.
      const length = Number(args.inputs.length ?? 32);
      const bytes = Buffer.alloc(length);
      for (let offset = 0; offset < length; offset += 32) {
        createHash("sha256").update(`${args.name}:${offset}`).digest().copy(bytes, offset);
      }
      state.base64 = bytes.toString("base64");
      state.hex = bytes.toString("hex");
      break;
    }
    case "gcp:serviceaccount/account:Account":
      state.email = `${String(args.inputs.accountId ?? physicalName)}@mock-project.iam.gserviceaccount.com`;
      break;
    case "gcp:logging/projectSink:ProjectSink":
      // A unique writer identity is a per-sink service account Google creates.
      state.writerIdentity = `serviceAccount:service-100000000001@gcp-sa-logging-${id.slice(0, 6)}.iam.gserviceaccount.com`;
      break;
    default:
      break;
  }
  return state;
}

/**
 * A deterministic secp256k1 public key (SPKI DER, base64) per KMS key id, in
 * the shape KMS's GetPublicKey returns. The point is derived from the key id's
 * hash, so each mock key has its own stable Ethereum address.
 */
export function mockPublicKeyFor(keyId: string): string {
  // SPKI header for an uncompressed secp256k1 point (id-ecPublicKey, secp256k1).
  const spkiPrefix = "3056301006072a8648ce3d020106052b8104000a034200";
  const point = privateKeyToAccount(keccak256(toHex(`mock-kms-key:${keyId}`))).publicKey.slice(2);
  return Buffer.from(`${spkiPrefix}${point}`, "hex").toString("base64");
}

/** Computed outputs by `type::name`, as `newResource` returned them. */
export type ComputedOutputs = Map<string, Record<string, unknown>>;

export interface KitMockOptions {
  /** What GetCallerIdentity returns: the entrypoint tests pass a deployer's session ARN. */
  readonly callerArn?: string;
  /** The account's applied Lambda concurrency quota (AWS's default: 1000; new accounts start at 10). */
  readonly lambdaConcurrencyQuota?: number;
  /** Collects every made-up value the mocks return (see `StackEvaluation.fabricated`). */
  readonly fabricated?: Set<string>;
}

/** Strings of at least 8 characters in `value`: shorter ones would match ordinary words. */
function collectStrings(value: unknown, into: Set<string> | undefined): void {
  if (!into) return;
  if (typeof value === "string") {
    if (value.length >= 8) into.add(value);
  } else if (Array.isArray(value)) {
    value.forEach((inner) => collectStrings(inner, into));
  } else if (value !== null && typeof value === "object") {
    Object.values(value).forEach((inner) => collectStrings(inner, into));
  }
}

/** The kit's Pulumi mocks: stand-ins for the cloud's computed outputs and invokes. */
export function kitMocks(region: string, computed: ComputedOutputs = new Map(), options: KitMockOptions = {}): pulumi.runtime.Mocks {
  const { fabricated } = options;
  fabricated?.add(mockAccountId).add(mockProjectNumber);
  const call = callMock(region, options);
  return {
    newResource: (args) => {
      const id = fakeId(args.type, args.name);
      const state = computedState(args, region);
      const made = { id, ...Object.fromEntries(Object.entries(state).filter(([key]) => !(key in args.inputs))) };
      computed.set(`${args.type}::${args.name}`, made);
      collectStrings(made, fabricated);
      return { id, state };
    },
    call: (args) => {
      const result = call(args);
      if (args.token === "aws:kms/getPublicKey:getPublicKey") {
        fabricated?.add(ethereumAddressFromSpki(String(result.publicKey)));
        collectStrings(result.publicKey, fabricated);
      } else if (!["aws:index/getRegion:getRegion", "aws:index/getPartition:getPartition", "aws:index/getAvailabilityZones:getAvailabilityZones"].includes(args.token)) {
        collectStrings(Object.fromEntries(Object.entries(result).filter(([key]) => !(key in args.inputs))), fabricated);
      }
      return result;
    },
  };
}

function callMock(region: string, options: KitMockOptions): (args: pulumi.runtime.MockCallArgs) => Record<string, unknown> {
  return (args) => {
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity": {
        const arn = options.callerArn ?? `arn:aws:iam::${mockAccountId}:user/mock`;
        return { accountId: /::([0-9]{12}):/.exec(arn)?.[1] ?? mockAccountId, arn, userId: "AIDAMOCKCALLER" };
      }
      case "aws:servicequotas/getServiceQuota:getServiceQuota":
        return { ...args.inputs, value: options.lambdaConcurrencyQuota ?? 1000, adjustable: true, defaultValue: 1000 };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, id: region };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com" };
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        // Zone ids as AWS forms them (eu-west-1 -> euw1-az1); names map to ids differently in every account.
        const prefix = region.replace(/^([a-z]{2})-([a-z])[a-z]*-([0-9])$/, "$1$2$3");
        return { names: ["a", "b", "c"].map((suffix) => `${region}${suffix}`), zoneIds: [1, 2, 3].map((n) => `${prefix}-az${n}`) };
      }
      case "aws:kms/getPublicKey:getPublicKey": {
        const keyId = String(args.inputs.keyId);
        return {
          keyId,
          publicKey: mockPublicKeyFor(keyId),
          customerMasterKeySpec: "ECC_SECG_P256K1",
          keySpec: "ECC_SECG_P256K1",
          keyUsage: "SIGN_VERIFY",
          signingAlgorithms: ["ECDSA_SHA_256"],
        };
      }
      case "gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount":
        return { email: "bq-100000000001@bigquery-encryption.iam.gserviceaccount.com", member: "serviceAccount:bq-100000000001@bigquery-encryption.iam.gserviceaccount.com" };
      case "gcp:organizations/getProject:getProject":
        return { number: mockProjectNumber, projectId: String(args.inputs.projectId ?? "mock-project") };
      default:
        return args.inputs;
    }
  };
}

interface AliasMessage {
  getUrn(): string;
  hasSpec(): boolean;
  getSpec(): { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
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
          options: { protect: req.getProtect(), retainOnDelete: req.getRetainondelete(), deleteBeforeReplace: req.getDeletebeforereplace() },
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
    return { archive: Object.fromEntries(await Promise.all(entries.map(async ([name, inner]) => [name, await summarizeAssets(inner)]))) };
  }
  if (value instanceof pulumi.asset.FileArchive) return { archive: "file", path: await value.path };
  if (value instanceof pulumi.asset.StringAsset) {
    const text = await value.text;
    return { asset: "string", bytes: Buffer.byteLength(text), sha256: createHash("sha256").update(text).digest("hex") };
  }
  if (value instanceof pulumi.asset.FileAsset) return { asset: "file", path: await value.path };
  if (Array.isArray(value)) return Promise.all(value.map(summarizeAssets));
  if (value !== null && typeof value === "object") {
    const entries = await Promise.all(Object.entries(value).map(async ([key, inner]) => [key, await summarizeAssets(inner)] as const));
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
  await pulumi.runtime.setMocks(kitMocks(config.aws.region, computed, { fabricated }), config.project, config.stack, false);
  recordRegistrations(resources);
  const outputs = await pulumi.runtime.runInPulumiStack(async () => program(config));
  await pulumi.runtime.disconnect();
  const summarized = await Promise.all(resources.map(async (resource) => ({ ...resource, inputs: await summarizeAssets(resource.inputs) })));
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
