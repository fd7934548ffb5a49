import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bundleJob, jobArchive, lockfileSha256 } from "../build/bundle";
import { releaseTagKey, type ReleaseIdentity } from "../../lambdas/contract/release";
import { releaseDigest } from "../definitions/release-identity";
import { policyJson, type PolicyStatement } from "../definitions/policy-document";

export interface JobFunctionArgs {
  /** The `lambdas/<job>/handler.ts` to bundle. */
  readonly job: string;
  readonly description: string;
  readonly role: aws.iam.Role;
  /** Ids, addresses and names only: never a secret value (checklist S1, S3). */
  readonly environment: Readonly<Record<string, pulumi.Input<string>>>;
  /** What the code does with AWS beyond running (logs, traces, network, dead letters are granted here). */
  readonly permissions: readonly PolicyStatement[];
  /** The customer-managed key for the log group and the dead-letter queue. */
  readonly encryptionKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /** Private subnets behind the NAT gateways whose IPs the RPC provider allowlists. */
  readonly network: { readonly subnetIds: pulumi.Input<string>[]; readonly securityGroupIds: pulumi.Input<string>[] };
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** Absent: the function's input is left unset. */
  readonly reservedConcurrentExecutions?: number;
}

export interface JobFunction {
  readonly function: aws.lambda.Function;
  /** What this function runs, independent of the stack (see lambdas/contract/release.ts). */
  readonly releaseIdentity: pulumi.Output<ReleaseIdentity>;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly deadLetterQueue: aws.sqs.Queue;
}

const maxDeadLetterRetentionSeconds = 14 * 24 * 3600;

/** How every kit Lambda runs; part of its release identity. */
const runtime = aws.lambda.Runtime.NodeJS22dX;
const architecture = "arm64";
const handler = "index.handler";

/** The release identity of `job` deployed with these settings: the bundle it ships and the settings no stack changes. */
export async function functionReleaseIdentity(settings: Pick<JobFunctionArgs, "job" | "timeoutSeconds" | "memorySizeMb">): Promise<ReleaseIdentity> {
  const bundle = await bundleJob(settings.job);
  return {
    bundleSha256: bundle.sha256,
    lockfileSha256: lockfileSha256(),
    runtime,
    runtimeVersion: "auto",
    architecture,
    handler,
    memorySizeMb: settings.memorySizeMb,
    timeoutSeconds: settings.timeoutSeconds,
  };
}

/**
 * A kit Lambda as every job and the shipper run it: nodejs22.x on arm64,
 * active X-Ray, in the private subnets, with an encrypted log group with
 * retention, an encrypted dead-letter queue, and a role policy that grants
 * those plus `permissions`. A function rather than a component, so the
 * resources keep the parents (and URNs) they have in `ScheduledJob` and `LogPipeline`.
 */
export function declareJobFunction(name: string, args: JobFunctionArgs, parent: pulumi.Resource): JobFunction {
  const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: args.logRetentionDays, kmsKeyId: args.encryptionKeyArn }, { parent });

  const deadLetterQueue = new aws.sqs.Queue(
    `${name}-dlq`,
    { kmsMasterKeyId: args.encryptionKeyArn, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: maxDeadLetterRetentionSeconds },
    { parent },
  );

  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-permissions`,
    {
      role: args.role.id,
      policy: policyJson([
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
        { Sid: "DeadLetterFailedInvocations", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: deadLetterQueue.arn },
        // X-Ray has no resource-level permissions.
        { Sid: "WriteTraces", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
        {
          // What Lambda needs to attach the function to the private subnets; EC2 has no resource-level scoping for these.
          Sid: "AttachToPrivateSubnets",
          Effect: "Allow",
          Action: [
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets",
            "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses",
          ],
          Resource: "*",
        },
        ...args.permissions,
      ]),
    },
    { parent },
  );

  const releaseIdentity = pulumi.output(functionReleaseIdentity(args));
  const fn = new aws.lambda.Function(
    `${name}-function`,
    {
      description: args.description,
      runtime,
      architectures: [architecture],
      handler,
      code: jobArchive(args.job),
      role: args.role.arn,
      memorySize: args.memorySizeMb,
      timeout: args.timeoutSeconds,
      ...(args.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: args.reservedConcurrentExecutions }),
      environment: { variables: { ...args.environment, NODE_OPTIONS: "--enable-source-maps" } },
      tracingConfig: { mode: "Active" },
      deadLetterConfig: { targetArn: deadLetterQueue.arn },
      // Text: the functions write their own JSON (Powertools), and EMF metric lines must reach CloudWatch unwrapped.
      loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
      vpcConfig: { subnetIds: args.network.subnetIds, securityGroupIds: args.network.securityGroupIds },
      // The promotion gate compares this digest with the one a passing staging smoke run recorded.
      tags: { [releaseTagKey]: releaseIdentity.apply(releaseDigest) },
    },
    // Lambda checks at creation that the role may write to the DLQ and create network interfaces.
    { parent, dependsOn: [rolePolicy] },
  );

  return { function: fn, releaseIdentity, logGroup, deadLetterQueue };
}
