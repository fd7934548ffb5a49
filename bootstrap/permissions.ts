import * as pulumi from "@pulumi/pulumi";

/**
 * What the pipeline's identities may do in AWS and GCP.
 *
 * Deployers get the services the kit declares, service by service, plus
 * explicit denies for what no deploy needs and what would matter most if a
 * workflow were subverted: signing with any KMS key, deleting keys, and
 * minting long-lived credentials. A per-action allow list would break on
 * provider upgrades (each adds calls); the denies are what keeps the
 * assistant key out of the pipeline's reach, and they win over any allow.
 *
 * Previewers read: the state (and write only its lock files, which
 * `pulumi preview` takes on a self-managed backend), the secrets-provider
 * key to load the stack config, and the cloud reads the program invokes.
 * They may not read the kit's runtime secrets, sign, or change anything.
 */

type Statement = Record<string, unknown>;

/** The AWS services the kit's program declares resources in (infra/components). */
export const kitServices = [
  "cloudfront",
  "cloudwatch",
  "dynamodb",
  "ec2",
  "events",
  "lambda",
  "logs",
  "scheduler",
  "secretsmanager",
  "sns",
  "sqs",
] as const;

const neverForThePipeline = [
  "kms:Sign",
  "kms:ScheduleKeyDeletion",
  "iam:CreateUser",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
];

function stateStatements(bucketArn: string, secretsKeyArn: string, write: "state" | "locks"): Statement[] {
  return [
    { Sid: "ListState", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn },
    { Sid: "ReadState", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${bucketArn}/*` },
    {
      Sid: write === "state" ? "WriteState" : "WriteStackLocksOnly",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: write === "state" ? `${bucketArn}/*` : `${bucketArn}/.pulumi/locks/*`,
    },
    {
      Sid: write === "state" ? "EncryptAndDecryptStackSecrets" : "DecryptStackConfig",
      Effect: "Allow",
      Action: write === "state" ? ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"],
      Resource: secretsKeyArn,
    },
  ];
}

export function deployerPolicy(args: {
  bucketArn: pulumi.Input<string>;
  secretsKeyArn: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
}): pulumi.Output<string> {
  return pulumi
    .all([args.bucketArn, args.secretsKeyArn, args.accountId])
    .apply(([bucketArn, secretsKeyArn, accountId]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          ...stateStatements(bucketArn, secretsKeyArn, "state"),
          {
            Sid: "DeclareTheKit",
            Effect: "Allow",
            Action: kitServices.map((service) => `${service}:*`),
            Resource: "*",
          },
          // KMS keys for the signer, secrets, logs and tables: created, described, policed, never used to sign.
          {
            Sid: "ManageKitKeys",
            Effect: "Allow",
            Action: [
              "kms:CreateKey",
              "kms:CreateAlias",
              "kms:UpdateAlias",
              "kms:DeleteAlias",
              "kms:Describe*",
              "kms:Get*",
              "kms:List*",
              "kms:PutKeyPolicy",
              "kms:TagResource",
              "kms:UntagResource",
              "kms:EnableKeyRotation",
              "kms:ReplicateKey",
              "kms:Encrypt",
              "kms:Decrypt",
              "kms:GenerateDataKey",
              "kms:CreateGrant",
            ],
            Resource: "*",
          },
          // Roles and their inline policies only (no users, no groups), in this account.
          {
            Sid: "ManageKitRoles",
            Effect: "Allow",
            Action: [
              "iam:CreateRole",
              "iam:DeleteRole",
              "iam:GetRole",
              "iam:UpdateRole",
              "iam:UpdateAssumeRolePolicy",
              "iam:TagRole",
              "iam:UntagRole",
              "iam:ListRolePolicies",
              "iam:ListAttachedRolePolicies",
              "iam:ListInstanceProfilesForRole",
              "iam:GetRolePolicy",
              "iam:PutRolePolicy",
              "iam:DeleteRolePolicy",
              "iam:CreateServiceLinkedRole",
            ],
            Resource: `arn:aws:iam::${accountId}:role/*`,
          },
          {
            Sid: "PassKitRolesToLambdaAndScheduler",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: `arn:aws:iam::${accountId}:role/*`,
            Condition: { StringEquals: { "iam:PassedToService": ["lambda.amazonaws.com", "scheduler.amazonaws.com"] } },
          },
          {
            Sid: "ReadCallerAndIdentityProviders",
            Effect: "Allow",
            Action: ["sts:GetCallerIdentity", "iam:GetOpenIDConnectProvider"],
            Resource: "*",
          },
          { Sid: "NeverForThePipeline", Effect: "Deny", Action: neverForThePipeline, Resource: "*" },
        ],
      }),
    );
}

export function previewerPolicy(args: {
  bucketArn: pulumi.Input<string>;
  secretsKeyArn: pulumi.Input<string>;
}): pulumi.Output<string> {
  return pulumi.all([args.bucketArn, args.secretsKeyArn]).apply(([bucketArn, secretsKeyArn]) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        ...stateStatements(bucketArn, secretsKeyArn, "locks"),
        {
          Sid: "ReadWhatTheProgramInvokes",
          Effect: "Allow",
          Action: [
            "kms:GetPublicKey",
            "kms:DescribeKey",
            "ec2:DescribeAvailabilityZones",
            "ec2:DescribeRegions",
            "sts:GetCallerIdentity",
          ],
          Resource: "*",
        },
        { Sid: "NeverForThePipeline", Effect: "Deny", Action: neverForThePipeline, Resource: "*" },
        // The kit's runtime secrets (RPC URLs, webhook key) and every other key's plaintext stay out of a preview.
        { Sid: "NoRuntimeSecrets", Effect: "Deny", Action: ["secretsmanager:GetSecretValue"], Resource: "*" },
        { Sid: "DecryptOnlyStackConfig", Effect: "Deny", Action: ["kms:Decrypt"], NotResource: secretsKeyArn },
      ],
    }),
  );
}

/** GCP roles on the project: the kit's log pipeline resources (infra/components/log-pipeline.ts) for deployers, reads for previewers. */
export const gcpDeployerRoles = [
  "roles/bigquery.dataOwner",
  "roles/iam.serviceAccountAdmin",
  "roles/iam.workloadIdentityPoolAdmin",
  "roles/logging.configWriter",
  "roles/resourcemanager.projectIamAdmin",
  "roles/serviceusage.serviceUsageAdmin",
] as const;

export const gcpPreviewerRoles = ["roles/viewer"] as const;
