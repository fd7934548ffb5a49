/**
 * A pretend AWS account and GCP project for the preflight tests, served by
 * one local stand-in per wire protocol family, with the real AWS SDK v3 and
 * Google clients pointed at them. `healthyAccount()` passes every check for
 * the staging stack; each test breaks one thing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseKitConfig, type KitConfig } from "../../infra/config";
import { projectRoot, stackSource } from "../../infra/offline/stack-file";
import { createAwsClients, type AwsClients } from "../../tools/preflight/aws-clients";
import type { PreflightContext, StackFileFacts } from "../../tools/preflight/check";
import { closeGcpClients, createGcpClients, type GcpClients } from "../../tools/preflight/gcp-clients";
import type { StackNeeds } from "../../tools/preflight/stack-needs";
import { startAwsJsonEndpoint } from "./aws-json-endpoint";
import { startAwsQueryEndpoint } from "./aws-query-endpoint";
import { startAwsRestJsonEndpoint } from "./aws-rest-json-endpoint";
import { fixedTokenAuthClient } from "./cloud-logging-endpoint";
import type { FakeAwsAccount, FakeRole } from "./fake-aws-account";
import { startGoogleRestEndpoint, type FakeGcpProject } from "./google-rest-endpoint";
import type { LocalHttpServer } from "./local-http";

export const accountId = "123456789012";
export const region = "eu-west-1";
export const signerAlias = "alias/boson-kit/staging/assistant";

export const keyAdminRole: FakeRole = { name: "boson-kit-key-admin", path: "/", roleId: "AROAKEYADMINROLE00001" };
/** An IAM Identity Center (SSO) role: its ARN has a path that session ARNs drop. */
export const deployRole: FakeRole = {
  name: "AWSReservedSSO_Deploy_0a1b2c3d4e5f6a7b",
  path: "/aws-reserved/sso.amazonaws.com/eu-west-1/",
  roleId: "AROADEPLOYROLE000001",
};
export const previewRole: FakeRole = { name: "boson-kit-preview", path: "/", roleId: "AROAPREVIEWROLE00001" };

const arnOf = (role: FakeRole) => `arn:aws:iam::${accountId}:role${role.path}${role.name}`;
export const keyAdminArn = arnOf(keyAdminRole);
export const deployerArn = arnOf(deployRole);
export const previewerArn = arnOf(previewRole);

/** The signer key's policy as KMS shows it while every principal it names exists. */
export function signerPolicy(principals: readonly string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AdministratorsManageTheKey",
        Effect: "Allow",
        Principal: { AWS: principals },
        Action: ["kms:PutKeyPolicy", "kms:DescribeKey"],
        Resource: "*",
      },
      {
        Sid: "AdministratorsNeverSign",
        Effect: "Deny",
        Principal: { AWS: principals },
        Action: ["kms:Sign"],
        Resource: "*",
      },
    ],
  });
}

export function healthyAccount(): FakeAwsAccount {
  const account: FakeAwsAccount = {
    account: accountId,
    region,
    caller: {
      arn: `arn:aws:sts::${accountId}:assumed-role/${deployRole.name}/dev@example.com`,
      userId: `${deployRole.roleId}:dev@example.com`,
    },
    roles: [keyAdminRole, deployRole, previewRole],
    users: [],
    zones: [
      {
        zoneName: "eu-west-1a",
        zoneId: "euw1-az3",
        state: "available",
        optInStatus: "opt-in-not-required",
        zoneType: "availability-zone",
      },
      {
        zoneName: "eu-west-1b",
        zoneId: "euw1-az1",
        state: "available",
        optInStatus: "opt-in-not-required",
        zoneType: "availability-zone",
      },
      {
        zoneName: "eu-west-1c",
        zoneId: "euw1-az2",
        state: "available",
        optInStatus: "opt-in-not-required",
        zoneType: "availability-zone",
      },
    ],
    addresses: [],
    appliedQuotas: {},
    defaultQuotas: { "ec2/L-0263D0A3": 5 },
    lambda: { concurrentExecutions: 1000, unreservedConcurrentExecutions: 1000 },
    trails: [{ name: "management-events", homeRegion: "us-east-1", multiRegion: true, logging: true }],
    keys: [],
    denied: new Set(),
  };
  return account;
}

export function healthyProject(): FakeGcpProject {
  return {
    project: "boson-kit-staging",
    projectNumber: "400000000001",
    token: "test-only-token",
    enabledApis: new Set(["serviceusage.googleapis.com", "cloudresourcemanager.googleapis.com"]),
    serviceUsageEnabled: true,
    buckets: new Map(),
    pools: new Map(),
  };
}

/** The committed staging stack with the deployer and zone keys a real stack would set. */
export function stagingValues(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const document = parse(readFileSync(join(projectRoot, "Pulumi.staging.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const values: Record<string, unknown> = {
    ...document.config,
    "boson-kit:deployers": [deployerArn],
    "boson-kit:previewers": [previewerArn],
    // As `pulumi config set --secret` writes them; the ciphertext is never read offline.
    "boson-kit:rpcPrimaryUrl": { secure: "v1:test-only-ciphertext-primary" },
    "boson-kit:rpcFallbackUrl": { secure: "v1:test-only-ciphertext-fallback" },
    ...extra,
  };
  // `undefined` in `extra` removes a key, as `pulumi config rm` would.
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

export function stagingConfig(extra: Record<string, unknown> = {}): KitConfig {
  return parseKitConfig(stackSource("staging", stagingValues(extra)));
}

export function stagingNeeds(overrides: Partial<StackNeeds> = {}): StackNeeds {
  return {
    reservedConcurrency: 1,
    reservingFunctions: ["withdraw-function=1"],
    natGateways: 1,
    elasticIps: 1,
    signerKeyAlias: signerAlias,
    gcpServices: ["iam.googleapis.com", "logging.googleapis.com"],
    workloadIdentityPools: [{ project: "boson-kit-staging", poolId: "boson-kit-staging" }],
    logBuckets: [{ project: "boson-kit-staging", location: "europe-west1", bucketId: "boson-kit-staging" }],
    ...overrides,
  };
}

export interface PreflightWorld {
  readonly account: FakeAwsAccount;
  readonly project: FakeGcpProject;
  readonly servers: {
    readonly query: LocalHttpServer;
    readonly json: LocalHttpServer;
    readonly restJson: LocalHttpServer;
    readonly google: LocalHttpServer;
  };
  readonly aws: AwsClients;
  readonly gcp: GcpClients;
  /** Endpoints and credentials for `preflight()` itself. */
  readonly clientOptions: {
    aws: { endpoints: Record<keyof AwsClients, string>; credentials: { accessKeyId: string; secretAccessKey: string } };
    gcp: { endpoint: { host: string; port: number }; authClient: ReturnType<typeof fixedTokenAuthClient> };
  };
  context(parts?: { config?: KitConfig; needs?: StackNeeds; stackFile?: StackFileFacts }): PreflightContext;
  close(): Promise<void>;
}

export async function startPreflightWorld(
  account = healthyAccount(),
  project = healthyProject(),
): Promise<PreflightWorld> {
  const servers = {
    query: await startAwsQueryEndpoint(account),
    json: await startAwsJsonEndpoint(account),
    restJson: await startAwsRestJsonEndpoint(account),
    google: await startGoogleRestEndpoint(project),
  };
  const clientOptions = {
    aws: {
      endpoints: {
        sts: servers.query.url,
        iam: servers.query.url,
        ec2: servers.query.url,
        lambda: servers.restJson.url,
        serviceQuotas: servers.json.url,
        cloudTrail: servers.json.url,
        kms: servers.json.url,
      },
      // Test-only placeholders: the stand-ins check that requests are signed, not the signature.
      credentials: { accessKeyId: "AKIDLOCALSTANDIN", secretAccessKey: "local-stand-in-not-a-secret" },
    },
    gcp: {
      endpoint: { host: servers.google.host, port: servers.google.port },
      authClient: fixedTokenAuthClient(project.token),
    },
  };
  const aws = createAwsClients({ region, ...clientOptions.aws });
  const gcp = createGcpClients(clientOptions.gcp);
  return {
    account,
    project,
    servers,
    aws,
    gcp,
    clientOptions,
    context: (parts = {}) => ({
      config: parts.config ?? stagingConfig(),
      needs: parts.needs ?? stagingNeeds(),
      stackFile: parts.stackFile ?? { encryptionSalt: false, allowedAccountIds: [accountId] },
      aws,
      gcp,
    }),
    close: async () => {
      for (const client of Object.values(aws)) client.destroy();
      await closeGcpClients(gcp);
      await Promise.all(Object.values(servers).map((server) => server.close()));
    },
  };
}
