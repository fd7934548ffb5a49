import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { BootstrapConfig } from "./config";
import { deployerPolicy, gcpDeployerRoles, gcpPreviewerRoles, previewerPolicy } from "./permissions";
import {
  awsAudience,
  environmentSubject,
  githubIssuerUrl,
  githubTrustPolicy,
  pullRequestSubject,
  repositoryCondition,
  workloadIdentityPrincipal,
} from "./trust";

/**
 * Everything the release pipeline needs before its first run, created once
 * by an administrator: GitHub's OIDC provider in AWS, one deploy role per kit
 * stack (trusting only that stack's GitHub environment) and a previewer role
 * (pull requests), the S3 state bucket and the KMS key that encrypts the
 * stacks' secrets (a self-managed backend: no Pulumi access token exists),
 * and the GCP workload identity pool with one service account per role.
 * The stack outputs are what the README says to set as GitHub environment
 * variables; none of them is a secret.
 */
export function bootstrapProgram(config: BootstrapConfig): Record<string, unknown> {
  const accountId = aws.getCallerIdentityOutput({}).accountId;

  const oidc = new aws.iam.OpenIdConnectProvider("github-actions", {
    url: githubIssuerUrl,
    clientIdLists: [awsAudience],
  });

  // Losing either would strand every stack's state or its secrets: protected.
  const secretsKey = new aws.kms.Key(
    "pulumi-secrets",
    {
      description: "Encrypts the secrets in the boson kit's Pulumi stack configs and state",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    },
    { protect: true },
  );
  const secretsAlias = new aws.kms.Alias("pulumi-secrets", {
    name: "alias/boson-kit/pulumi-secrets",
    targetKeyId: secretsKey.keyId,
  });
  const stateBucket = new aws.s3.Bucket("pulumi-state", { forceDestroy: false }, { protect: true });
  new aws.s3.BucketVersioning("pulumi-state", {
    bucket: stateBucket.id,
    versioningConfiguration: { status: "Enabled" },
  });
  new aws.s3.BucketServerSideEncryptionConfiguration("pulumi-state", {
    bucket: stateBucket.id,
    rules: [
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: secretsKey.arn },
        bucketKeyEnabled: true,
      },
    ],
  });
  new aws.s3.BucketPublicAccessBlock("pulumi-state", {
    bucket: stateBucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });

  const role = (name: string, description: string, subject: string, policy: pulumi.Output<string>) => {
    const created = new aws.iam.Role(name, {
      description,
      assumeRolePolicy: githubTrustPolicy(oidc.arn, subject),
      maxSessionDuration: 3600,
    });
    new aws.iam.RolePolicy(`${name}-permissions`, { role: created.id, policy });
    return created;
  };
  const deployRoles = Object.fromEntries(
    config.stacks.map((stack) => [
      stack,
      role(
        `deploy-${stack}`,
        `Deploys the boson kit's ${stack} stack from the GitHub environment ${stack}`,
        environmentSubject(config.github, stack),
        deployerPolicy({ bucketArn: stateBucket.arn, secretsKeyArn: secretsKey.arn, accountId }),
      ),
    ]),
  );
  const previewRole = role(
    "preview",
    "Previews the boson kit's stacks for pull requests: reads state, cannot deploy, sign or read runtime secrets",
    pullRequestSubject(config.github),
    previewerPolicy({ bucketArn: stateBucket.arn, secretsKeyArn: secretsKey.arn }),
  );

  const project = config.gcp.project;
  const projectNumber = gcp.organizations.getProjectOutput({ projectId: project }).number;
  const apis = ["iam.googleapis.com", "iamcredentials.googleapis.com", "sts.googleapis.com"].map(
    (service) =>
      new gcp.projects.Service(`api-${service.split(".")[0]}`, { project, service, disableOnDestroy: false }),
  );
  const pool = new gcp.iam.WorkloadIdentityPool(
    "github-actions",
    { project, workloadIdentityPoolId: "boson-kit-github", displayName: "GitHub Actions (boson kit)" },
    { dependsOn: apis },
  );
  const provider = new gcp.iam.WorkloadIdentityPoolProvider("github-actions", {
    project,
    workloadIdentityPoolId: pool.workloadIdentityPoolId,
    workloadIdentityPoolProviderId: "github",
    attributeMapping: { "google.subject": "assertion.sub", "attribute.repository_id": "assertion.repository_id" },
    attributeCondition: repositoryCondition(config.github.repositoryId),
    oidc: { issuerUri: githubIssuerUrl },
  });
  const serviceAccount = (id: string, displayName: string, roles: readonly string[], subject: string) => {
    const account = new gcp.serviceaccount.Account(id, { project, accountId: id, displayName });
    roles.forEach(
      (roleName) =>
        new gcp.projects.IAMMember(`${id}-${roleName.split("/")[1]}`, {
          project,
          role: roleName,
          member: pulumi.interpolate`serviceAccount:${account.email}`,
        }),
    );
    new gcp.serviceaccount.IAMMember(`${id}-from-github`, {
      serviceAccountId: account.name,
      role: "roles/iam.workloadIdentityUser",
      member: workloadIdentityPrincipal(projectNumber, pool.workloadIdentityPoolId, subject),
    });
    return account;
  };
  const deployAccounts = Object.fromEntries(
    config.stacks.map((stack) => [
      stack,
      serviceAccount(
        `bk-deploy-${stack}`,
        `Deploys the boson kit's ${stack} stack`,
        gcpDeployerRoles,
        environmentSubject(config.github, stack),
      ),
    ]),
  );
  const previewAccount = serviceAccount(
    "bk-preview",
    "Previews the boson kit's stacks",
    gcpPreviewerRoles,
    pullRequestSubject(config.github),
  );

  return {
    stateBackendUrl: pulumi.interpolate`s3://${stateBucket.bucket}`,
    secretsProvider: pulumi.interpolate`awskms://${secretsAlias.name}?region=${config.region}`,
    deployRoleArns: pulumi.output(
      Object.fromEntries(Object.entries(deployRoles).map(([stack, created]) => [stack, created.arn])),
    ),
    previewRoleArn: previewRole.arn,
    gcpWorkloadIdentityProvider: provider.name,
    gcpDeployServiceAccounts: pulumi.output(
      Object.fromEntries(Object.entries(deployAccounts).map(([stack, account]) => [stack, account.email])),
    ),
    gcpPreviewServiceAccount: previewAccount.email,
  };
}
