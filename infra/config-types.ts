import type * as pulumi from "@pulumi/pulumi";
import type { ChainFinality } from "./chains";
import type { RawKitConfig } from "./config-schema";
import type { RelayerSettings } from "./definitions/relayer-config";
import type { SmokeExchangeToken } from "./definitions/smoke-offer";
import type { SignerConfig, StandbyConfig } from "./signer-config";

/** The shapes of a stack's configuration: what the parser reads (`ConfigSource`), returns (`KitConfig`) and refuses (`ConfigIssue`). */

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
  readonly reserveMarginWei?: string | undefined;
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
    readonly accountId?: string | undefined;
    /** How many zones get a NAT gateway: the length of `availabilityZoneIds` when those are set. */
    readonly availabilityZones: number;
    /**
     * The zones by id (`euw1-az1`), the same physical zone in every account.
     * Absent: the first `availabilityZones` zone ids, in id order, of the
     * region's zones that need no opt-in, chosen at deploy.
     */
    readonly availabilityZoneIds?: readonly string[] | undefined;
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
    readonly bigQueryKmsKeyName?: string | undefined;
  };
  readonly logRetentionDays: number;
  /** Who records the CloudTrail management events the change watch reads: the kit's own trail, or an organisation trail. */
  readonly changeWatch: { readonly trail: "kit" | "organization" };
  readonly webhooks: { readonly endpoints: readonly string[] };
  /** The meta-transaction relayer (O4); its api key is in `rpc.relayerApiKey`. */
  readonly relayer?: RelayerSettings;
  /** The transaction lifecycle's settings (defaults in lambdas/shared/chain/lifecycle/policy.ts when absent). */
  readonly transactions?: {
    readonly stuckAfterBlocks?: number | undefined;
    readonly stuckAfterSeconds?: number | undefined;
    readonly bumpPercent?: number | undefined;
    readonly maxFeePerGasGwei?: string | undefined;
    readonly leaseSeconds?: number | undefined;
    readonly pendingAlarmMinutes?: number | undefined;
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

/** Placeholders stand in for secrets offline; `.invalid` can never resolve (RFC 6761). */
export function secretPlaceholder(key: SecretConfigKey): string {
  return `https://${key.toLowerCase()}.placeholder.invalid/`;
}
