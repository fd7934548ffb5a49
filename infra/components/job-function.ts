import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bundleJob, jobArchive, lambdaNodeOptions, lockfileSha256 } from "../build/bundle";
import { releaseTagKey, type ReleaseIdentity } from "../../lambdas/contract/release";
import { releaseDigest } from "../definitions/release-identity";
import { policyJson, type PolicyStatement } from "../definitions/policy-document";
import { rateIntervalSeconds } from "../definitions/schedule-expression";

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
  /** Caps parallel runs; 1 makes a job a singleton (withdrawals never race each other). Absent: the input is left unset. */
  readonly reservedConcurrentExecutions?: number;
  /** An EventBridge Scheduler expression and the role Scheduler invokes the function as; absent for functions that are only invoked. */
  /** `enabled: false`: the schedule exists but does not fire (a standby stack until it is switched on). */
  readonly schedule?: { readonly expression: string; readonly role: aws.iam.Role; readonly enabled?: boolean };
  /**
   * Aliases each child declares, for children whose deployed URNs name
   * another parent: the alias keeps those resources instead of replacing them.
   */
  readonly childAliases?: readonly pulumi.Input<pulumi.Alias>[];
}

const maxDeadLetterRetentionSeconds = 14 * 24 * 3600;
/** Scheduler retries delivering a run (the Invoke call itself, e.g. when throttled) this many times within one interval. */
const scheduleRetryAttempts = 2;

/** Lambda accepts 60 s to 6 h for an async event's maximum age. */
export function asyncEventAgeSeconds(intervalSeconds: number): number {
  return Math.min(Math.max(intervalSeconds, 60), 6 * 3600);
}

/** How every kit Lambda runs; part of its release identity. */
const runtime = aws.lambda.Runtime.NodeJS22dX;
const architecture = "arm64";
const handler = "index.handler";

/** The release identity of `job` deployed with these settings: the bundle it ships and the settings no stack changes. */
export async function functionReleaseIdentity(
  settings: Pick<JobFunctionArgs, "job" | "timeoutSeconds" | "memorySizeMb">,
): Promise<ReleaseIdentity> {
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
 * retention, an encrypted dead-letter queue, a role policy that grants those
 * plus `permissions`, and, when scheduled, an EventBridge Scheduler schedule
 * with retries into the same queue.
 */
export class JobFunction extends pulumi.ComponentResource {
  public readonly job: string;
  public readonly function: aws.lambda.Function;
  /** What this function runs, independent of the stack (see lambdas/contract/release.ts). */
  public readonly releaseIdentity: pulumi.Output<ReleaseIdentity>;
  public readonly role: aws.iam.Role;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  public readonly deadLetterQueue: aws.sqs.Queue;
  public readonly schedule: aws.scheduler.Schedule | undefined;

  constructor(name: string, args: JobFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:jobs:JobFunction", name, {}, opts);
    this.job = args.job;
    this.role = args.role;
    const child: pulumi.CustomResourceOptions = {
      parent: this,
      ...(args.childAliases ? { aliases: [...args.childAliases] } : {}),
    };

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.logRetentionDays, kmsKeyId: args.encryptionKeyArn },
      child,
    );

    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      {
        kmsMasterKeyId: args.encryptionKeyArn,
        kmsDataKeyReusePeriodSeconds: 300,
        messageRetentionSeconds: maxDeadLetterRetentionSeconds,
      },
      child,
    );

    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-permissions`,
      {
        role: args.role.id,
        policy: policyJson([
          {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${this.logGroup.arn}:*`,
          },
          {
            Sid: "DeadLetterFailedInvocations",
            Effect: "Allow",
            Action: ["sqs:SendMessage"],
            Resource: this.deadLetterQueue.arn,
          },
          // X-Ray has no resource-level permissions.
          {
            Sid: "WriteTraces",
            Effect: "Allow",
            Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            Resource: "*",
          },
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
      child,
    );

    this.releaseIdentity = pulumi.output(functionReleaseIdentity(args));
    this.function = new aws.lambda.Function(
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
        ...(args.reservedConcurrentExecutions === undefined
          ? {}
          : { reservedConcurrentExecutions: args.reservedConcurrentExecutions }),
        environment: { variables: { ...args.environment, NODE_OPTIONS: lambdaNodeOptions } },
        tracingConfig: { mode: "Active" },
        deadLetterConfig: { targetArn: this.deadLetterQueue.arn },
        // Text: the functions write their own JSON (Powertools), and EMF metric lines must reach CloudWatch unwrapped.
        loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
        vpcConfig: { subnetIds: args.network.subnetIds, securityGroupIds: args.network.securityGroupIds },
        // The promotion gate compares this digest with the one a passing staging smoke run recorded.
        tags: { [releaseTagKey]: this.releaseIdentity.apply(releaseDigest) },
      },
      // Lambda checks at creation that the role may write to the DLQ and create network interfaces.
      { ...child, dependsOn: [rolePolicy] },
    );

    this.schedule =
      args.schedule === undefined ? undefined : this.declareSchedule(name, args.job, args.schedule, child);

    this.registerOutputs({
      functionName: this.function.name,
      functionArn: this.function.arn,
      logGroupName: this.logGroup.name,
      deadLetterQueueArn: this.deadLetterQueue.arn,
    });
  }

  private declareSchedule(
    name: string,
    job: string,
    schedule: NonNullable<JobFunctionArgs["schedule"]>,
    child: pulumi.CustomResourceOptions,
  ): aws.scheduler.Schedule {
    const schedulerPolicy = new aws.iam.RolePolicy(
      `${name}-schedule-permissions`,
      {
        role: schedule.role.id,
        policy: policyJson([
          { Sid: "InvokeTheJob", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: this.function.arn },
          {
            Sid: "DeadLetterUndeliveredRuns",
            Effect: "Allow",
            Action: ["sqs:SendMessage"],
            Resource: this.deadLetterQueue.arn,
          },
        ]),
      },
      child,
    );
    // A run that cannot be delivered within one interval is superseded by the next one.
    const interval = rateIntervalSeconds(schedule.expression) ?? 3600;
    // The schedule is the retry: Lambda's own async retries (1 and 2 minutes later) would overlap the next
    // scheduled runs, and a run older than one interval is stale. A failed run goes to the dead-letter queue.
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-async`,
      {
        functionName: this.function.name,
        maximumRetryAttempts: 0,
        maximumEventAgeInSeconds: asyncEventAgeSeconds(interval),
      },
      child,
    );
    return new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        description: `Runs the ${job} job`,
        scheduleExpression: schedule.expression,
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        state: schedule.enabled === false ? "DISABLED" : "ENABLED",
        target: {
          arn: this.function.arn,
          roleArn: schedule.role.arn,
          input: JSON.stringify({ source: "schedule", job }),
          retryPolicy: {
            maximumRetryAttempts: scheduleRetryAttempts,
            maximumEventAgeInSeconds: Math.min(Math.max(interval, 60), 86_400),
          },
          deadLetterConfig: { arn: this.deadLetterQueue.arn },
        },
      },
      { ...child, dependsOn: [schedulerPolicy] },
    );
  }
}
