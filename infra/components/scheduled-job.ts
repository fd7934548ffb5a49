import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { JobName } from "../../lambdas/contract";
import { declareJobFunction, type JobFunction, type JobFunctionArgs } from "./job-function";
import type { JobIdentity } from "./job-roles";
import { policyJson } from "../definitions/policy-document";
import { rateIntervalSeconds } from "../definitions/schedule-expression";

export interface ScheduledJobArgs
  extends Pick<JobFunctionArgs, "description" | "environment" | "permissions" | "encryptionKeyArn" | "logRetentionDays" | "network" | "timeoutSeconds"> {
  readonly job: JobName;
  /** Roles declared up front by `JobRoles`; this component attaches their permissions. */
  readonly identity: JobIdentity;
  /** EventBridge Scheduler expression; absent for jobs that are only invoked (the smoke test). */
  readonly schedule?: string;
  readonly memorySizeMb?: number;
  /** Caps parallel runs; 1 makes a job a singleton (withdrawals never race each other). */
  readonly reservedConcurrency?: number;
}

/** Lambda retries an asynchronous invocation twice; Scheduler then retries delivery this many times. */
const scheduleRetryAttempts = 2;

/**
 * One job of the kit: a Lambda bundled from `lambdas/<job>/handler.ts`, with
 * its least-privilege role policy, an encrypted log group with retention,
 * active X-Ray tracing, an encrypted dead-letter queue, and (for scheduled
 * jobs) an EventBridge Scheduler schedule with retries into the same queue.
 * The log group, role and function are public so the log pipeline can
 * subscribe to them.
 */
export class ScheduledJob extends pulumi.ComponentResource {
  public readonly job: JobName;
  public readonly function: aws.lambda.Function;
  public readonly releaseIdentity: JobFunction["releaseIdentity"];
  public readonly role: aws.iam.Role;
  public readonly logGroup: aws.cloudwatch.LogGroup;
  public readonly deadLetterQueue: aws.sqs.Queue;
  public readonly schedule: aws.scheduler.Schedule | undefined;

  constructor(name: string, args: ScheduledJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:jobs:ScheduledJob", name, {}, opts);
    this.job = args.job;
    this.role = args.identity.executionRole;

    const declared = declareJobFunction(
      name,
      {
        job: args.job,
        description: args.description,
        role: this.role,
        environment: args.environment,
        permissions: args.permissions,
        encryptionKeyArn: args.encryptionKeyArn,
        logRetentionDays: args.logRetentionDays,
        network: args.network,
        timeoutSeconds: args.timeoutSeconds,
        memorySizeMb: args.memorySizeMb ?? 512,
        reservedConcurrentExecutions: args.reservedConcurrency ?? -1,
      },
      this,
    );
    this.function = declared.function;
    this.releaseIdentity = declared.releaseIdentity;
    this.logGroup = declared.logGroup;
    this.deadLetterQueue = declared.deadLetterQueue;

    this.schedule = args.schedule === undefined ? undefined : this.declareSchedule(name, args, args.schedule);

    this.registerOutputs({
      functionName: this.function.name,
      functionArn: this.function.arn,
      logGroupName: this.logGroup.name,
      deadLetterQueueArn: this.deadLetterQueue.arn,
    });
  }

  private declareSchedule(name: string, args: ScheduledJobArgs, expression: string): aws.scheduler.Schedule {
    const schedulerRole = args.identity.schedulerRole;
    if (!schedulerRole) throw new Error(`the ${args.job} job has a schedule but JobRoles declared no scheduler role for it`);
    const schedulerPolicy = new aws.iam.RolePolicy(
      `${name}-schedule-permissions`,
      {
        role: schedulerRole.id,
        policy: policyJson([
          { Sid: "InvokeTheJob", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: this.function.arn },
          { Sid: "DeadLetterUndeliveredRuns", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: this.deadLetterQueue.arn },
        ]),
      },
      { parent: this },
    );
    // A run that cannot be delivered within one interval is superseded by the next one.
    const interval = rateIntervalSeconds(expression) ?? 3600;
    return new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        description: `Runs the ${args.job} job`,
        scheduleExpression: expression,
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: {
          arn: this.function.arn,
          roleArn: schedulerRole.arn,
          input: JSON.stringify({ source: "schedule", job: args.job }),
          retryPolicy: {
            maximumRetryAttempts: scheduleRetryAttempts,
            maximumEventAgeInSeconds: Math.min(Math.max(interval, 60), 86_400),
          },
          deadLetterConfig: { arn: this.deadLetterQueue.arn },
        },
      },
      { parent: this, dependsOn: [schedulerPolicy] },
    );
  }
}
