import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { JobName } from "../../lambdas/contract";
import { assumeRolePolicy } from "../definitions/policy-document";

export interface JobRolesArgs {
  readonly jobs: readonly { readonly name: JobName; readonly scheduled: boolean }[];
}

export interface JobIdentity {
  /** What the Lambda runs as. */
  readonly executionRole: aws.iam.Role;
  /** What EventBridge Scheduler runs as to invoke the Lambda; absent for jobs without a schedule. */
  readonly schedulerRole: aws.iam.Role | undefined;
}

/**
 * The jobs' IAM roles, declared before anything else: the signer's key
 * policy, the secrets' resource policies and the data keys' policies name
 * these roles, and KMS rejects a policy whose principal does not exist yet.
 * The roles start with no permissions; each `JobFunction` attaches exactly
 * the ones its job uses.
 */
export class JobRoles extends pulumi.ComponentResource {
  public readonly byJob: ReadonlyMap<JobName, JobIdentity>;

  constructor(name: string, args: JobRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:jobs:JobRoles", name, {}, opts);

    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const byJob = new Map<JobName, JobIdentity>();
    for (const job of args.jobs) {
      const executionRole = new aws.iam.Role(
        `${job.name}-job-role`,
        {
          description: `Runs the ${job.name} job's Lambda`,
          assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"),
        },
        { parent: this },
      );
      const schedulerRole = job.scheduled
        ? new aws.iam.Role(
            `${job.name}-schedule-role`,
            {
              description: `Lets EventBridge Scheduler invoke the ${job.name} job`,
              assumeRolePolicy: assumeRolePolicy("scheduler.amazonaws.com", accountId),
            },
            { parent: this },
          )
        : undefined;
      byJob.set(job.name, { executionRole, schedulerRole });
    }
    this.byJob = byJob;

    this.registerOutputs({});
  }

  /** The identity of one job; throws if the job was not declared (a wiring mistake in the program). */
  identity(job: JobName): JobIdentity {
    const identity = this.byJob.get(job);
    if (!identity) throw new Error(`no roles were declared for the ${job} job`);
    return identity;
  }

  executionRoleArn(job: JobName): pulumi.Output<string> {
    return this.identity(job).executionRole.arn;
  }
}
