/**
 * The stack's configuration: read once, validated before any resource is
 * declared, and handed to the rest of the program as one typed `KitConfig`.
 * This is the only module that reads Pulumi config (`loadKitConfig`); the
 * offline plan and the tests build a `ConfigSource` from the stack file and
 * call `parseKitConfig` with it.
 */
import * as pulumi from "@pulumi/pulumi";
import { finalityFor } from "./chains";
import { rawKitConfigSchema } from "./config-schema";
import { allowedAccountIds, crossFieldIssues, namespaceIssues, schemaIssues, show } from "./config-issues";
import {
  configNamespace,
  ConfigError,
  secretConfigKeys,
  secretPlaceholder,
  stackEnvironment,
  type Address,
  type ConfigIssue,
  type ConfigSource,
  type KitConfig,
  type SecretConfigKey,
  type StackEnvironment,
} from "./config-types";
import { rpcUrlProblem } from "../lambdas/contract/rpc-url";
import { officialDeployment } from "./official-table";
import { relayerApiKeyConfigKey, resolveRelayer } from "./definitions/relayer-config";
import { alertEndpointsKey, resolveAlertSecrets } from "./alert-secrets";
import { smokeOfferIssues } from "./definitions/smoke-offer";
import { signerIssues, toSignerConfig } from "./signer-config";

export * from "./config-types";
export { configPath, zoneIdPrefix } from "./config-issues";

const defaultAvailabilityZones: Record<StackEnvironment, number> = { staging: 1, production: 2, development: 1 };
const defaultLogRetentionDays: Record<StackEnvironment, number> = { staging: 30, production: 365, development: 7 };

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
