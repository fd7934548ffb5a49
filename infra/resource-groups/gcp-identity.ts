import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { LogPipelineNames } from "../definitions/gcp-names";

/**
 * How the shipper reaches GCP (checklist B1, S1): Workload Identity
 * Federation from its AWS role. A workload identity pool with an AWS provider
 * trusting only the kit's account and, by attribute condition, only the
 * shipper's role; a service account whose one project role is
 * roles/logging.logWriter; and a binding that lets exactly that role's
 * sessions impersonate it. No service-account key exists: the shipper's
 * credential configuration (external_account JSON) names the pool and the
 * service account and holds nothing secret.
 */

export interface ShipperIdentityArgs {
  readonly gcpProject: string;
  readonly stack: string;
  readonly names: LogPipelineNames;
  readonly awsAccountId: pulumi.Input<string>;
  /** The shipper's IAM role name (not ARN): sessions of it appear as `arn:aws:sts::<acct>:assumed-role/<name>/<session>`. */
  readonly shipperRoleName: pulumi.Input<string>;
  /** Project services the identity resources need enabled first. */
  readonly dependsOn: readonly pulumi.Resource[];
}

export interface ShipperIdentity {
  readonly serviceAccount: gcp.serviceaccount.Account;
  readonly pool: gcp.iam.WorkloadIdentityPool;
  readonly provider: gcp.iam.WorkloadIdentityPoolProvider;
  /** `arn:aws:sts::<account>:assumed-role/<role>`: what `attribute.aws_role` holds for the shipper's sessions. */
  readonly assumedRoleArn: pulumi.Output<string>;
  /** The one principal allowed to impersonate the service account. */
  readonly principalSet: pulumi.Output<string>;
  /** The shipper's external_account credential configuration, as JSON. */
  readonly credentialConfig: pulumi.Output<string>;
}

/** Google's documented default mapping for AWS providers: the role ARN without the session name. */
export const awsAttributeMapping: Readonly<Record<string, string>> = {
  "google.subject": "assertion.arn",
  "attribute.aws_account": "assertion.account",
  "attribute.aws_role":
    "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn",
};

export function declareShipperIdentity(
  name: string,
  args: ShipperIdentityArgs,
  opts: { parent: pulumi.Resource; provider: gcp.Provider },
): ShipperIdentity {
  const { names } = args;
  const resourceOpts = { parent: opts.parent, provider: opts.provider, dependsOn: [...args.dependsOn] };
  // After the APIs are enabled: a fresh project has Cloud Resource Manager off, and the lookup would fail at preview.
  const projectNumber = gcp.organizations.getProjectOutput(
    { projectId: args.gcpProject },
    { parent: opts.parent, provider: opts.provider, dependsOn: [...args.dependsOn] },
  ).number;
  const assumedRoleArn = pulumi.interpolate`arn:aws:sts::${args.awsAccountId}:assumed-role/${args.shipperRoleName}`;

  const pool = new gcp.iam.WorkloadIdentityPool(
    `${name}-pool`,
    {
      project: args.gcpProject,
      workloadIdentityPoolId: names.poolId,
      displayName: `boson-kit ${args.stack}`.slice(0, 32),
      description: `AWS identities of the boson-kit ${args.stack} log shipper`,
    },
    resourceOpts,
  );

  const provider = new gcp.iam.WorkloadIdentityPoolProvider(
    `${name}-aws-provider`,
    {
      project: args.gcpProject,
      workloadIdentityPoolId: pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: names.providerId,
      displayName: "AWS log shipper",
      description: `Trusts only the ${args.stack} shipper's AWS role`,
      aws: { accountId: args.awsAccountId },
      attributeMapping: { ...awsAttributeMapping },
      attributeCondition: pulumi.interpolate`attribute.aws_role == "${assumedRoleArn}"`,
    },
    resourceOpts,
  );

  const serviceAccount = new gcp.serviceaccount.Account(
    `${name}-writer`,
    {
      project: args.gcpProject,
      accountId: names.serviceAccountId,
      displayName: `boson-kit ${args.stack} log shipper`,
      description:
        "Writes the kit's job logs to Cloud Logging; impersonated from AWS through workload identity federation; has no key.",
    },
    resourceOpts,
  );

  new gcp.projects.IAMMember(
    `${name}-writer-log-writer`,
    {
      project: args.gcpProject,
      role: "roles/logging.logWriter",
      member: pulumi.interpolate`serviceAccount:${serviceAccount.email}`,
    },
    resourceOpts,
  );

  // Built from the pool's and provider's outputs, not the literal ids: the binding and the credential
  // configuration then wait for the pool and provider to exist.
  const principalSet = pulumi.interpolate`principalSet://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${pool.workloadIdentityPoolId}/attribute.aws_role/${assumedRoleArn}`;
  new gcp.serviceaccount.IAMMember(
    `${name}-shipper-impersonates-writer`,
    { serviceAccountId: serviceAccount.name, role: "roles/iam.workloadIdentityUser", member: principalSet },
    resourceOpts,
  );

  const credentialConfig = pulumi
    .all([
      projectNumber,
      provider.workloadIdentityPoolId,
      provider.workloadIdentityPoolProviderId,
      serviceAccount.email,
    ])
    .apply(([number, poolId, providerId, email]) =>
      JSON.stringify(
        externalAccountCredentialConfig({ projectNumber: number, poolId, providerId, serviceAccountEmail: email }),
      ),
    );

  return { serviceAccount, pool, provider, assumedRoleArn, principalSet, credentialConfig };
}

export interface CredentialConfigArgs {
  readonly projectNumber: string;
  readonly poolId: string;
  readonly providerId: string;
  readonly serviceAccountEmail: string;
  /** Google's STS and IAM Credentials endpoints; tests point them at a local stand-in. */
  readonly stsTokenUrl?: string;
  readonly iamCredentialsUrl?: string;
}

/**
 * The shipper's WIF credential configuration (what `gcloud iam
 * workload-identity-pools create-cred-config --aws` writes): Google's STS
 * exchanges a signed AWS GetCallerIdentity request for a federated token,
 * which impersonates the writer service account. No key, nothing secret.
 */
export function externalAccountCredentialConfig(args: CredentialConfigArgs): Record<string, unknown> {
  const iamCredentials = args.iamCredentialsUrl ?? "https://iamcredentials.googleapis.com";
  return {
    type: "external_account",
    audience: `//iam.googleapis.com/projects/${args.projectNumber}/locations/global/workloadIdentityPools/${args.poolId}/providers/${args.providerId}`,
    subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    token_url: args.stsTokenUrl ?? "https://sts.googleapis.com/v1/token",
    service_account_impersonation_url: `${iamCredentials}/v1/projects/-/serviceAccounts/${args.serviceAccountEmail}:generateAccessToken`,
    credential_source: {
      // In Lambda the role's session credentials and region come from the environment; no metadata endpoint is needed.
      environment_id: "aws1",
      regional_cred_verification_url: "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
    },
  };
}
