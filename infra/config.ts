import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { finalityFor, type ChainFinality } from "./chains";
import { availabilityZoneIdPattern, isLoopbackHttpUrl, rawKitConfigSchema, type RawKitConfig } from "./config-schema";
import { rpcUrlProblem } from "../lambdas/contract/rpc-url";
import { officialConfigIds, officialDeployment } from "./official-table";
import { relayerApiKeyConfigKey, resolveRelayer, type RelayerSettings } from "./definitions/relayer-config";
import { alertEndpointsKey, resolveAlertSecrets } from "./alert-secrets";
import { smokeOfferIssues, type SmokeExchangeToken } from "./definitions/smoke-offer";
import { signerIssues, toSignerConfig, type SignerConfig, type StandbyConfig } from "./signer-config";

/**
 * The stack's configuration: read once, validated before any resource is
 * declared, and handed to the rest of the program as one typed `KitConfig`.
 * This is the only module that reads Pulumi config (`loadKitConfig`); the
 * offline plan and the tests build a `ConfigSource` from the stack file and
 * call `parseKitConfig` with it.
 */

/** The Pulumi config namespace of the kit's own keys (the project name). */
export const configNamespace = "boson-kit";

export type Address = `0x${string}`;
export type StackEnvironment = "staging" | "production" | "development";
export type SecretConfigKey = "rpcPrimaryUrl" | "rpcFallbackUrl";

export const secretConfigKeys: readonly SecretConfigKey[] = ["rpcPrimaryUrl", "rpcFallbackUrl"];

export interface SellerToken {
  readonly address: Address;
  readonly symbol: string;
  /** Decimal string: wei amounts do not fit a JS number. */
  readonly withdrawThresholdWei: string;
  /** Kept on top of the reserve the active offers need (M1); decimal string. */
  readonly reserveMarginWei?: string;
}

export interface KitConfig {
  readonly project: string;
  readonly stack: string;
  readonly environment: StackEnvironment;
  readonly configId: string;
  readonly chain: { readonly id: number } & ChainFinality;
  /** Confirmations before a change counts as final (O3); never below the chain's minimum. */
  readonly confirmations: number;
  readonly protocol: {
    readonly diamond: Address;
    readonly subgraphUrl: string;
    /** Where the diamond address and subgraph came from (H1). */
    readonly source: string;
  };
  readonly seller: {
    readonly id: string;
    readonly admin: Address;
    readonly treasury: Address;
    readonly tokens: readonly SellerToken[];
  };
  readonly gas: {
    readonly expectedDailyBurnWei: string;
    /** Falling ratios of the daily burn that raise the warning, high and critical alarms (H5). */
    readonly alertRatios: readonly [number, number, number];
  };
  readonly subgraph: { readonly maxLagBlocks: number };
  /** Escrow release in the withdraw run: exchanges per batch transaction, candidates per run. */
  readonly escrow: { readonly batchSize: number; readonly maxPerRun: number };
  /** Hours before each dispute deadline at which the watcher pages (B3). */
  readonly disputes: { readonly alertLeadHours: readonly number[] };
  readonly schedules: { readonly withdraw: string; readonly health: string; readonly watcher: string };
  readonly alerts: RawKitConfig["alerts"] & { readonly secretEndpoints: readonly pulumi.Output<string>[] };
  readonly aws: {
    readonly region: string;
    /** From the AWS provider's own `aws:allowedAccountIds` when it names one account (the provider then refuses any other). */
    readonly accountId?: string;
    /** How many zones get a NAT gateway: the length of `availabilityZoneIds` when those are set. */
    readonly availabilityZones: number;
    /**
     * The zones by id (`euw1-az1`), the same physical zone in every account.
     * Absent: the first `availabilityZones` zone ids, in id order, of the
     * region's zones that need no opt-in, chosen at deploy.
     */
    readonly availabilityZoneIds?: readonly string[];
    /** IAM principals that may administer the signing keys, never sign with them. */
    readonly kmsAdministrators: readonly string[];
    /** IAM principals that run `pulumi up` and `pulumi refresh`. */
    readonly deployers: readonly string[];
    /** IAM principals that may run `pulumi preview` only. */
    readonly previewers: readonly string[];
  };
  readonly gcp: {
    readonly project: string;
    readonly region: string;
    readonly generation: number;
    readonly bigQueryKmsKeyName?: string;
  };
  readonly logRetentionDays: number;
  /** Who records the CloudTrail management events the change watch reads: the kit's own trail, or an organisation trail. */
  readonly changeWatch: { readonly trail: "kit" | "organization" };
  readonly webhooks: { readonly endpoints: readonly string[] };
  /** The meta-transaction relayer (O4); its api key is in `rpc.relayerApiKey`. */
  readonly relayer?: RelayerSettings;
  /** The transaction lifecycle's settings (defaults in lambdas/shared/chain/lifecycle/policy.ts when absent). */
  readonly transactions?: {
    readonly stuckAfterBlocks?: number;
    readonly stuckAfterSeconds?: number;
    readonly bumpPercent?: number;
    readonly maxFeePerGasGwei?: string;
    readonly leaseSeconds?: number;
    readonly pendingAlarmMinutes?: number;
  };
  readonly priceFeed?: { readonly address: Address; readonly currency: string };
  /** The known test offer the release smoke test runs through the exchange state machine (M2, C4). */
  readonly smoke?: {
    readonly offerId: string;
    readonly buyerPercent: number;
    /** How the offer is paid; with a relayer only `free` or an ERC-20 (a meta-transaction carries no value). */
    readonly exchangeToken: SmokeExchangeToken;
  };
  /** The assistant key: generation, replica region, pinned address. */
  readonly signer: SignerConfig;
  /** Set on a standby stack: it signs with its primary stack's replica, schedules off until `active`. */
  readonly standby?: StandbyConfig;
  /** RPC URLs carry API keys: they exist only as Pulumi secrets (S3). */
  readonly rpc: {
    readonly primaryUrl: pulumi.Output<string>;
    readonly fallbackUrl: pulumi.Output<string>;
    readonly relayerApiKey?: pulumi.Output<string>;
  };
  /** Secrets that the offline plan replaced with placeholders, with why. Empty under `pulumi up`. */
  readonly placeholders: readonly { readonly key: string; readonly reason: "absent" | "encrypted" }[];
}

/** What the parser needs to know about a stack's config, whoever read it. */
export interface ConfigSource {
  readonly project?: string;
  readonly stack: string;
  /** Full keys (`boson-kit:configId`, `aws:region`) to values: strings, or parsed YAML/JSON objects. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Full keys that Pulumi holds as secrets. */
  readonly secretKeys: ReadonlySet<string>;
  /**
   * `deploy`: under the Pulumi CLI, secrets are decrypted and a missing one is an error.
   * `offline`: the plan and tests; a secret that is absent or still encrypted becomes a placeholder.
   */
  readonly mode: "deploy" | "offline";
}

export interface ConfigIssue {
  readonly key: string;
  readonly value: string;
  readonly problem: string;
  readonly fix: string;
}

/** Every problem with a stack's config, each naming the key, the bad value and the fix. */
export class ConfigError extends Error {
  constructor(
    readonly stackName: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `stack "${stackName}" has ${issues.length} config problem${issues.length === 1 ? "" : "s"}:\n` +
        issues.map((issue) => `  - ${issue.key} = ${issue.value}: ${issue.problem}\n    fix: ${issue.fix}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** The environment a stack name stands for, and the configId prefixes it accepts (S4). */
export function stackEnvironment(stack: string): {
  environment: StackEnvironment;
  acceptedPrefixes: readonly string[];
} {
  if (/^staging(-[a-z0-9-]+)?$/.test(stack)) return { environment: "staging", acceptedPrefixes: ["staging-"] };
  if (/^production(-[a-z0-9-]+)?$/.test(stack)) return { environment: "production", acceptedPrefixes: ["production-"] };
  return { environment: "development", acceptedPrefixes: ["local-", "testing-", "staging-"] };
}

const defaultAvailabilityZones: Record<StackEnvironment, number> = { staging: 1, production: 2, development: 1 };
const defaultLogRetentionDays: Record<StackEnvironment, number> = { staging: 30, production: 365, development: 7 };

/** Placeholders stand in for secrets offline; `.invalid` can never resolve (RFC 6761). */
export function secretPlaceholder(key: SecretConfigKey): string {
  return `https://${key.toLowerCase()}.placeholder.invalid/`;
}

const setCommand = (stack: string, key: string, value: string, secret = false) =>
  `pulumi config set${secret ? " --secret" : ""} --path '${key}' ${value} --stack ${stack}`;

/** Shows a config value in an error: short, and never a secret's content. */
function show(value: unknown, secret = false): string {
  if (value === undefined) return "(unset)";
  if (secret) return "(a value, hidden)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** A config path in Pulumi's documented `--path` syntax: `boson-kit:seller.tokens[0].address`. */
export function configPath(path: readonly PropertyKey[]): string {
  const tail = path
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`,
    )
    .join("");
  return tail === "" ? configNamespace : `${configNamespace}:${tail}`;
}

/** Fixes that differ from `pulumi config set <key> <value>`, chosen by a schema issue's `params.fix`. */
const specialFixes: Readonly<Record<string, (stack: string, key: string) => string>> = {
  // `--path` stores an unquoted integer as a number; `--type string` keeps every digit.
  "wei-string": (stack, key) =>
    `pulumi config set --path --type string '${key}' <amount in wei> --stack ${stack} (or quote it in Pulumi.${stack}.yaml)`,
};

function schemaIssues(stack: string, raw: Record<string, unknown>, error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const base = configPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((unknownKey) => {
        const key = configPath([...issue.path, unknownKey]);
        return {
          key,
          value: show(valueAt(raw, [...issue.path, unknownKey])),
          problem: "is not a key the kit knows (a typo?)",
          fix: `remove it: pulumi config rm --path '${key}' --stack ${stack}`,
        };
      });
    }
    const value = valueAt(raw, issue.path);
    const special =
      issue.code === "custom" ? specialFixes[String((issue.params as { fix?: unknown } | undefined)?.fix)] : undefined;
    return [
      {
        key: base,
        value: show(value),
        problem: issue.message,
        fix: special ? special(stack, base) : `${setCommand(stack, base, "<value>")} (or edit Pulumi.${stack}.yaml)`,
      },
    ];
  });
}

/** Splits `boson-kit:*` keys from provider keys, parsing JSON-encoded objects the CLI hands over as strings. */
function kitValues(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(values)) {
    const [namespace, key] = fullKey.split(":", 2);
    if (namespace !== configNamespace || key === undefined) continue;
    own[key] = typeof value === "string" && /^[[{]/.test(value.trim()) ? JSON.parse(value) : value;
  }
  return own;
}

interface SecretResolution {
  readonly values: Partial<Record<SecretConfigKey, string>>;
  readonly placeholders: KitConfig["placeholders"];
  readonly issues: readonly ConfigIssue[];
}

/** RPC URLs must be Pulumi secrets (S3): plaintext is refused; offline, missing ones become placeholders. */
function resolveSecrets(source: ConfigSource, raw: Record<string, unknown>): SecretResolution {
  const values: Partial<Record<SecretConfigKey, string>> = {};
  const placeholders: { key: string; reason: "absent" | "encrypted" }[] = [];
  const issues: ConfigIssue[] = [];
  for (const key of secretConfigKeys) {
    const fullKey = `${configNamespace}:${key}`;
    const value = raw[key];
    const encrypted = typeof value === "object" && value !== null && "secure" in value;
    const fix = `pulumi config set --secret ${fullKey} 'https://<provider>/<your-key>' --stack ${source.stack}`;
    if (value === undefined || encrypted) {
      if (source.mode === "offline") {
        values[key] = secretPlaceholder(key);
        placeholders.push({ key: fullKey, reason: encrypted ? "encrypted" : "absent" });
      } else {
        issues.push({
          key: fullKey,
          value: show(value),
          problem: "is required: the jobs cannot reach the chain without it",
          fix,
        });
      }
      continue;
    }
    if (typeof value !== "string" || !source.secretKeys.has(fullKey)) {
      issues.push({
        key: fullKey,
        value: "(plaintext, hidden)",
        problem: "is stored in plaintext: an RPC URL carries an API key and must be a Pulumi secret (checklist S3)",
        fix: `pulumi config rm ${fullKey} --stack ${source.stack} && ${fix}`,
      });
      continue;
    }
    const problem = rpcUrlProblem(value, { allowLoopbackHttp: false });
    if (problem) {
      issues.push({ key: fullKey, value: show(value, true), problem, fix });
      continue;
    }
    values[key] = value;
  }
  return { values, placeholders, issues };
}

/** Config namespaces something reads: the kit's own and its providers'. Pulumi ignores any other without a word. */
const readNamespaces = new Set([configNamespace, "aws", "gcp", "random", "pulumi"]);

function namespaceIssues(stack: string, values: Readonly<Record<string, unknown>>): ConfigIssue[] {
  return Object.keys(values).flatMap((fullKey): ConfigIssue[] => {
    const namespace = fullKey.includes(":") ? fullKey.slice(0, fullKey.indexOf(":")) : "";
    if (readNamespaces.has(namespace)) return [];
    const name = fullKey.slice(fullKey.indexOf(":") + 1);
    return [
      {
        key: fullKey,
        value: show(values[fullKey]),
        problem: `is in namespace "${namespace}", which nothing reads: Pulumi would ignore it silently (a typo of ${configNamespace}:?)`,
        fix: `pulumi config rm '${fullKey}' --stack ${stack}, then set it as ${configNamespace}:${name} (or rename the key in Pulumi.${stack}.yaml)`,
      },
    ];
  });
}

/** The AWS provider's `aws:allowedAccountIds`, as the stack file (a list) or the CLI (a JSON string) gives it. */
function allowedAccountIds(values: Readonly<Record<string, unknown>>): unknown {
  const value = values["aws:allowedAccountIds"];
  if (typeof value === "string" && value.trim().startsWith("[")) return JSON.parse(value) as unknown;
  return value;
}

const directionCodes: Readonly<Record<string, string>> = {
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
  gov: "g",
};

/** The prefix AWS gives the zone ids of a region: eu-west-1 -> euw1, ap-southeast-2 -> apse2; undefined when unsure. */
export function zoneIdPrefix(region: string): string | undefined {
  const parts = region.split("-");
  const [country, ...rest] = parts;
  const number = rest.pop();
  const words = rest.map((word) => directionCodes[word]);
  if (!country || !number || words.some((code) => code === undefined)) return undefined;
  return `${country}${words.join("")}${number}`;
}

/** Rules that span fields: environment vs configId, the official table, chain minimums, zones, principals. */
function crossFieldIssues(
  stack: string,
  config: RawKitConfig,
  values: Readonly<Record<string, unknown>>,
): ConfigIssue[] {
  const region = values["aws:region"];
  const issues: ConfigIssue[] = [];
  const key = (name: string) => `${configNamespace}:${name}`;
  const { environment, acceptedPrefixes } = stackEnvironment(stack);

  if (!acceptedPrefixes.some((prefix) => config.configId.startsWith(prefix))) {
    issues.push({
      key: key("configId"),
      value: show(config.configId),
      problem: `stack "${stack}" is a ${environment} stack and accepts only configIds starting with ${acceptedPrefixes.join(", ")} (checklist S4)`,
      fix: `${setCommand(stack, key("configId"), `${acceptedPrefixes[0]}<chainId>-0`)}, or deploy this configId from a stack named after its environment`,
    });
  }

  config.webhooks.endpoints.forEach((endpoint, index) => {
    if (isLoopbackHttpUrl(endpoint) && !config.configId.startsWith("local-")) {
      issues.push({
        key: key(`webhooks.endpoints.${index}`),
        value: show(endpoint),
        problem:
          "is plain http: only a local-* configId (a chain on this machine) may deliver to a loopback http receiver",
        fix: `${setCommand(stack, key(`webhooks.endpoints.${index}`), "https://<your-endpoint>")}`,
      });
    }
  });

  const official = officialDeployment(config.configId);
  if (!official) {
    issues.push({
      key: key("configId"),
      value: show(config.configId),
      problem: `is not in the official Boson table; known configIds: ${officialConfigIds.join(", ")}`,
      fix: setCommand(stack, key("configId"), "<one of the known configIds>"),
    });
    return issues;
  }

  if (config.protocolDiamond && config.protocolDiamond.toLowerCase() !== official.protocolDiamond.toLowerCase()) {
    issues.push({
      key: key("protocolDiamond"),
      value: show(config.protocolDiamond),
      problem: `does not match the official protocol diamond ${official.protocolDiamond} for ${config.configId}, from ${official.source} (checklist H1)`,
      fix: `pulumi config rm ${key("protocolDiamond")} --stack ${stack} (the official address is used by default)`,
    });
  }

  let finality: ChainFinality | undefined;
  try {
    finality = finalityFor(official.chainId);
  } catch (error) {
    issues.push({
      key: key("configId"),
      value: show(config.configId),
      problem: (error as Error).message,
      fix: "add the chain's finality rule to infra/chains.ts",
    });
  }
  if (finality && config.confirmations !== undefined && config.confirmations < finality.minimum) {
    issues.push({
      key: key("confirmations"),
      value: show(config.confirmations),
      problem: `is below ${finality.name}'s minimum of ${finality.minimum} confirmations (checklist O3)`,
      fix: setCommand(stack, key("confirmations"), String(finality.default)),
    });
  }

  issues.push(
    ...zoneIssues(stack, config, environment, region),
    ...principalIssues(stack, config, values),
    ...gcpIssues(stack, config),
  );

  if (environment === "production" && config.subgraphUrl !== undefined && isNonProductionSubgraph(config.subgraphUrl)) {
    issues.push({
      key: key("subgraphUrl"),
      value: show(config.subgraphUrl),
      problem:
        "is a staging or test subgraph, on a production stack: the jobs would act on another deployment's events",
      fix: `pulumi config rm ${key("subgraphUrl")} --stack ${stack} (the official production subgraph is used by default)`,
    });
  }

  if (typeof region !== "string" || !/^[a-z]{2}(-[a-z]+)+-[0-9]$/.test(region)) {
    issues.push({
      key: "aws:region",
      value: show(region),
      problem: "must be an AWS region such as eu-west-1",
      fix: `pulumi config set aws:region eu-west-1 --stack ${stack}`,
    });
  }
  return issues;
}

function zoneIssues(
  stack: string,
  config: RawKitConfig,
  environment: StackEnvironment,
  region: unknown,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ids = config.availabilityZoneIds;
  if (ids && config.availabilityZones !== undefined && config.availabilityZones !== ids.length) {
    issues.push({
      key: `${configNamespace}:availabilityZones`,
      value: show(config.availabilityZones),
      problem: `contradicts availabilityZoneIds, which lists ${ids.length} zone(s): the ids decide the zones, the count is only used without them`,
      fix: `pulumi config rm ${configNamespace}:availabilityZones --stack ${stack}`,
    });
  }
  const prefix = typeof region === "string" ? zoneIdPrefix(region) : undefined;
  ids?.forEach((id, index) => {
    if (prefix && availabilityZoneIdPattern.exec(id)?.[1] !== prefix) {
      issues.push({
        key: configPath(["availabilityZoneIds", index]),
        value: show(id),
        problem: `is not a zone of ${String(region)}, whose zone ids start with ${prefix}-az`,
        fix: setCommand(stack, configPath(["availabilityZoneIds", index]), `${prefix}-az${index + 1}`),
      });
    }
  });
  const count = ids?.length ?? config.availabilityZones;
  if (environment === "production" && count !== undefined && count < 2) {
    const countKey = ids ? configPath(["availabilityZoneIds"]) : `${configNamespace}:availabilityZones`;
    issues.push({
      key: countKey,
      value: show(ids ?? config.availabilityZones),
      problem:
        "a production stack needs NAT gateways in at least 2 availability zones, or one zone's outage stops withdrawals",
      fix: ids
        ? setCommand(stack, configPath(["availabilityZoneIds", 1]), `${prefix ?? "<region>"}-az2`)
        : setCommand(stack, countKey, "2"),
    });
  }
  return issues;
}

function principalIssues(
  stack: string,
  config: RawKitConfig,
  values: Readonly<Record<string, unknown>>,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.previewers.forEach((arn, index) => {
    if (config.deployers.includes(arn)) {
      issues.push({
        key: configPath(["previewers", index]),
        value: show(arn),
        problem: "is also a deployer: previewers may only preview, so one principal cannot be both",
        fix: `pulumi config rm --path '${configPath(["previewers", index])}' --stack ${stack}, or remove it from ${configNamespace}:deployers`,
      });
    }
  });
  const accounts = allowedAccountIds(values);
  if (accounts === undefined) return issues;
  if (
    !Array.isArray(accounts) ||
    accounts.length === 0 ||
    !accounts.every((account) => /^[0-9]{12}$/.test(String(account)))
  ) {
    issues.push({
      key: "aws:allowedAccountIds",
      value: show(accounts),
      problem: "must be a list of 12-digit AWS account ids",
      fix: `pulumi config set --path 'aws:allowedAccountIds[0]' '"<12-digit account id>"' --stack ${stack}`,
    });
    return issues;
  }
  const allowed = accounts.map(String);
  for (const list of ["kmsAdministrators", "deployers", "previewers"] as const) {
    config[list].forEach((arn, index) => {
      const account = arn.split(":")[4] ?? "";
      if (!allowed.includes(account)) {
        issues.push({
          key: configPath([list, index]),
          value: show(arn),
          problem: `is in account ${account}, but aws:allowedAccountIds deploys only to ${allowed.join(", ")}`,
          fix: setCommand(stack, configPath([list, index]), `arn:aws:iam::${allowed[0]}:role/<name>`),
        });
      }
    });
  }
  return issues;
}

/** Cloud Logging keeps a bucket's logs for 1 to 3650 days; CloudWatch also offers 3653. */
const maxCloudLoggingRetentionDays = 3650;

function gcpIssues(stack: string, config: RawKitConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.logRetentionDays !== undefined && config.logRetentionDays > maxCloudLoggingRetentionDays) {
    issues.push({
      key: `${configNamespace}:logRetentionDays`,
      value: show(config.logRetentionDays),
      problem: `is more than Cloud Logging keeps a log bucket (${maxCloudLoggingRetentionDays} days), and the GCP bucket uses the same retention`,
      fix: setCommand(stack, `${configNamespace}:logRetentionDays`, "3288"),
    });
  }
  const keyLocation = config.gcp.bigQueryKmsKeyName?.split("/")[3];
  if (keyLocation !== undefined && keyLocation !== config.gcp.region) {
    issues.push({
      key: configPath(["gcp", "bigQueryKmsKeyName"]),
      value: show(config.gcp.bigQueryKmsKeyName),
      problem: `is a key in ${keyLocation}, but BigQuery only encrypts a dataset in ${config.gcp.region} with a key in the same location`,
      fix: setCommand(
        stack,
        configPath(["gcp", "bigQueryKmsKeyName"]),
        `projects/<p>/locations/${config.gcp.region}/keyRings/<r>/cryptoKeys/<k>`,
      ),
    });
  }
  return issues;
}

/** A subgraph of a non-production deployment in the official table, or one whose URL says so. */
function isNonProductionSubgraph(url: string): boolean {
  const nonProduction = officialConfigIds
    .map((configId) => officialDeployment(configId))
    .filter((deployment) => deployment !== undefined && deployment.envName !== "production")
    .map((deployment) => deployment?.subgraphUrl.toLowerCase());
  return nonProduction.includes(url.toLowerCase()) || /staging|testing|amoy|sepolia|localhost|127\.0\.0\.1/i.test(url);
}

/** Validates a stack's config and returns the typed `KitConfig`, or throws one `ConfigError` listing every problem. */
export function parseKitConfig(source: ConfigSource): KitConfig {
  const raw = kitValues(source.values);
  const secrets = resolveSecrets(source, raw);
  const parsed = rawKitConfigSchema.safeParse(
    Object.fromEntries(
      Object.entries(raw).filter(
        ([key]) =>
          !([...secretConfigKeys, alertEndpointsKey, relayerApiKeyConfigKey] as readonly string[]).includes(key),
      ),
    ),
  );
  const namespaces = namespaceIssues(source.stack, source.values);
  if (!parsed.success) {
    throw new ConfigError(source.stack, [
      ...namespaces,
      ...schemaIssues(source.stack, raw, parsed.error),
      ...secrets.issues,
    ]);
  }
  const config = parsed.data;
  const region = source.values["aws:region"];
  const alertSecrets = resolveAlertSecrets(source, raw);
  const issues = [
    ...namespaces,
    ...crossFieldIssues(source.stack, config, source.values),
    ...alertSecrets.issues,
    ...signerIssues(source.stack, stackEnvironment(source.stack).environment, config.signer, config.standby, region),
    ...secrets.issues,
  ];
  const officialEntry = officialDeployment(config.configId);
  const relayer =
    config.relayer && officialEntry
      ? resolveRelayer({
          namespace: configNamespace,
          stack: source.stack,
          relayer: config.relayer,
          official: officialEntry,
          apiKey: raw[relayerApiKeyConfigKey],
          apiKeyIsSecret: source.secretKeys.has(`${configNamespace}:${relayerApiKeyConfigKey}`),
          mode: source.mode,
        })
      : undefined;
  issues.push(...(relayer?.issues ?? []));
  issues.push(
    ...smokeOfferIssues({
      namespace: configNamespace,
      stack: source.stack,
      smoke: config.smoke,
      relayerConfigured: config.relayer !== undefined,
    }),
  );
  if (issues.length > 0) throw new ConfigError(source.stack, issues);

  // crossFieldIssues returned none, so the official entry and the finality rule exist.
  const official = officialDeployment(config.configId)!; // checked above
  const finality = finalityFor(official.chainId);
  const { environment } = stackEnvironment(source.stack);
  return {
    project: source.project ?? configNamespace,
    stack: source.stack,
    environment,
    configId: config.configId,
    chain: { id: official.chainId, ...finality },
    confirmations: config.confirmations ?? finality.default,
    protocol: {
      diamond: official.protocolDiamond,
      subgraphUrl: config.subgraphUrl ?? official.subgraphUrl,
      source: official.source,
    },
    seller: {
      id: config.seller.id,
      admin: config.seller.admin as Address,
      treasury: config.seller.treasury as Address,
      tokens: config.seller.tokens.map((token) => ({ ...token, address: token.address as Address })),
    },
    gas: config.gas,
    subgraph: config.subgraph,
    escrow: config.escrow,
    disputes: config.disputes,
    schedules: config.schedules,
    alerts: { ...config.alerts, secretEndpoints: alertSecrets.endpoints },
    aws: {
      region: region as string,
      ...(singleAccount(source.values) ? { accountId: singleAccount(source.values) } : {}),
      availabilityZones:
        config.availabilityZoneIds?.length ?? config.availabilityZones ?? defaultAvailabilityZones[environment],
      ...(config.availabilityZoneIds ? { availabilityZoneIds: config.availabilityZoneIds } : {}),
      kmsAdministrators: config.kmsAdministrators,
      deployers: config.deployers,
      previewers: config.previewers,
    },
    gcp: config.gcp,
    logRetentionDays: config.logRetentionDays ?? defaultLogRetentionDays[environment],
    changeWatch: config.changeWatch,
    webhooks: config.webhooks,
    ...(relayer?.settings ? { relayer: relayer.settings } : {}),
    ...(config.transactions ? { transactions: config.transactions } : {}),
    ...(config.priceFeed ? { priceFeed: { ...config.priceFeed, address: config.priceFeed.address as Address } } : {}),
    ...(config.smoke ? { smoke: config.smoke } : {}),
    signer: toSignerConfig(config.signer),
    ...(config.standby ? { standby: config.standby } : {}),
    rpc: {
      primaryUrl: pulumi.secret(secrets.values.rpcPrimaryUrl ?? ""),
      fallbackUrl: pulumi.secret(secrets.values.rpcFallbackUrl ?? ""),
      ...(relayer?.apiKey ? { relayerApiKey: relayer.apiKey } : {}),
    },
    placeholders: [
      ...secrets.placeholders,
      ...(relayer?.placeholder ? [relayer.placeholder] : []),
      ...(alertSecrets.placeholder ? [alertSecrets.placeholder] : []),
    ],
  };
}

/** The one account `aws:allowedAccountIds` names, if it names exactly one. */
function singleAccount(values: Readonly<Record<string, unknown>>): string | undefined {
  const accounts = allowedAccountIds(values);
  return Array.isArray(accounts) && accounts.length === 1 ? String(accounts[0]) : undefined;
}

/**
 * Reads the running stack's config from the Pulumi engine (`pulumi up` /
 * `preview`). The CLI hands config to the program as PULUMI_CONFIG and the
 * names of secret keys as PULUMI_CONFIG_SECRET_KEYS; secrets arrive decrypted.
 */
export function loadKitConfig(): KitConfig {
  const secretKeys: unknown = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
  return parseKitConfig({
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    values: pulumi.runtime.allConfig(),
    secretKeys: new Set(Array.isArray(secretKeys) ? secretKeys.map(String) : []),
    mode: "deploy",
  });
}
