import * as pulumi from "@pulumi/pulumi";

/**
 * Who may become which deploy identity: GitHub's OIDC token subjects, as the
 * AWS role trust policies and the GCP workload identity bindings name them.
 * A job that runs in a GitHub environment presents `environment:<name>` and
 * no ref, so the production role trusts only the production environment
 * (whose deployment branch rule admits main); pull requests present
 * `pull_request`.
 */

export const githubIssuer = "token.actions.githubusercontent.com";
export const githubIssuerUrl = `https://${githubIssuer}`;
/** The audience configure-aws-credentials requests. */
export const awsAudience = "sts.amazonaws.com";

export interface Repository {
  readonly owner: string;
  readonly repository: string;
}

export const environmentSubject = (repo: Repository, environment: string) =>
  `repo:${repo.owner}/${repo.repository}:environment:${environment}`;
export const pullRequestSubject = (repo: Repository) => `repo:${repo.owner}/${repo.repository}:pull_request`;

/** A role trust policy that admits exactly one GitHub OIDC subject, for the AWS audience. */
export function githubTrustPolicy(providerArn: pulumi.Input<string>, subject: string): pulumi.Output<string> {
  return pulumi.output(providerArn).apply((arn) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "GitHubActionsOidc",
          Effect: "Allow",
          Principal: { Federated: arn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${githubIssuer}:aud`]: awsAudience, [`${githubIssuer}:sub`]: subject } },
        },
      ],
    }),
  );
}

/** GCP: only tokens from this repository (by its numeric id, which survives renames) are accepted by the pool's provider. */
export const repositoryCondition = (repositoryId: string) => `assertion.repository_id == "${repositoryId}"`;

/** The GCP principal for one GitHub OIDC subject in the pool. */
export function workloadIdentityPrincipal(
  projectNumber: pulumi.Input<string>,
  poolId: pulumi.Input<string>,
  subject: string,
): pulumi.Output<string> {
  return pulumi.interpolate`principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}/subject/${subject}`;
}
