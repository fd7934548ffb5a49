import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  signerKeyChanges,
  secretPolicyChanges,
  signingJobChanges,
  signingRoleChanges,
  type SignerKeyRefs,
} from "../definitions/change-events";
import { assumeRolePolicy, policyJson } from "../definitions/policy-document";

/** Where IAM's management events are delivered: IAM is a global service logged in us-east-1. */
export const iamEventsRegion = "us-east-1";

export interface ChangeWatchArgs {
  readonly region: string;
  /** `kit`: the kit creates a multi-region trail; `organization`: an organisation trail already logs this account. */
  readonly trail: "kit" | "organization";
  readonly topicArn: pulumi.Input<string>;
  /** Absent on a standby stack, which declares no key. */
  readonly signerKey?: SignerKeyRefs;
  readonly secrets: readonly { readonly arn: pulumi.Input<string>; readonly name: pulumi.Input<string> }[];
  /** The functions and execution roles of the jobs that sign. */
  readonly signingJobs: readonly {
    readonly functionArn: pulumi.Input<string>;
    readonly functionName: pulumi.Input<string>;
    readonly roleName: pulumi.Input<string>;
  }[];
}

/**
 * Pages on the changes that could let someone sign: the signer key's policy,
 * grants, state and aliases; the secrets' policies; the signing jobs' code,
 * configuration and roles. EventBridge rules on the default bus send the
 * CloudTrail event to the alert topic; an alarm on each rule's failed
 * deliveries pages if the topic cannot be reached. IAM's events exist only in
 * us-east-1, so a rule there forwards them to this region's bus.
 */
export class ChangeWatch extends pulumi.ComponentResource {
  public readonly rules: readonly aws.cloudwatch.EventRule[];

  constructor(name: string, args: ChangeWatchArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:alerts:ChangeWatch", name, {}, opts);
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    if (args.trail === "kit") this.declareTrail(name, args.region, accountId);

    const roleChanges = signingRoleChanges(args.signingJobs.map((job) => job.roleName));
    const watched: [string, string, pulumi.Output<string>][] = [
      ...(args.signerKey
        ? [
            [
              "signer-key",
              "the signer key's policy, grants, state or aliases changed",
              signerKeyChanges(args.signerKey),
            ] as [string, string, pulumi.Output<string>],
          ]
        : []),
      ["secret-policies", "a secret's resource policy changed", secretPolicyChanges(args.secrets)],
      [
        "signing-jobs",
        "a signing job's code or configuration changed",
        signingJobChanges(args.signingJobs.map((job) => ({ arn: job.functionArn, name: job.functionName }))),
      ],
      ["signing-roles", "a signing job's role policies or trust changed", roleChanges],
    ];
    this.rules = watched.map(([suffix, description, pattern]) => {
      const rule = new aws.cloudwatch.EventRule(
        `${name}-${suffix}`,
        { description: `Boson kit: ${description}`, eventPattern: pattern },
        { parent: this },
      );
      new aws.cloudwatch.EventTarget(
        `${name}-${suffix}-page`,
        { rule: rule.name, arn: args.topicArn },
        { parent: this },
      );
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}-undelivered`,
        {
          alarmDescription: `[critical] the change watch could not page that ${description}`,
          namespace: "AWS/Events",
          metricName: "FailedInvocations",
          dimensions: { RuleName: rule.name },
          statistic: "Sum",
          period: 300,
          evaluationPeriods: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          threshold: 1,
          treatMissingData: "notBreaching",
          alarmActions: [args.topicArn],
        },
        { parent: this },
      );
      return rule;
    });
    if (args.region !== iamEventsRegion) this.forwardIamEvents(name, args.region, accountId, roleChanges);

    this.registerOutputs({ ruleNames: this.rules.map((rule) => rule.name) });
  }

  /** A rule in us-east-1 that sends the roles' IAM events to this region's default bus, where the signing-roles rule pages. */
  private forwardIamEvents(
    name: string,
    region: string,
    accountId: pulumi.Output<string>,
    pattern: pulumi.Output<string>,
  ): void {
    const provider = new aws.Provider(`${name}-${iamEventsRegion}`, { region: iamEventsRegion }, { parent: this });
    const bus = pulumi.interpolate`arn:aws:events:${region}:${accountId}:event-bus/default`;
    const role = new aws.iam.Role(
      `${name}-iam-forwarder-role`,
      {
        description: "Forwards IAM events from us-east-1 to the stack's region",
        assumeRolePolicy: assumeRolePolicy("events.amazonaws.com", accountId),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-iam-forwarder-permissions`,
      {
        role: role.id,
        policy: policyJson([
          { Sid: "PutToTheStackRegionsBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: bus },
        ]),
      },
      { parent: this },
    );
    const rule = new aws.cloudwatch.EventRule(
      `${name}-signing-roles-forward`,
      { description: "Boson kit: forwards signing-role IAM events", eventPattern: pattern },
      { parent: this, provider },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-signing-roles-forward-target`,
      { rule: rule.name, arn: bus, roleArn: role.arn },
      { parent: this, provider },
    );
  }

  /** A multi-region trail of management events (global services included) into a private bucket. */
  private declareTrail(name: string, region: string, accountId: pulumi.Output<string>): void {
    const bucket = new aws.s3.BucketV2(`${name}-trail-bucket`, { forceDestroy: false }, { parent: this });
    new aws.s3.BucketPublicAccessBlock(
      `${name}-trail-bucket-private`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    const trailName = `${name}-${pulumi.getStack()}`;
    const trailArn = pulumi.interpolate`arn:aws:cloudtrail:${region}:${accountId}:trail/${trailName}`;
    const policy = new aws.s3.BucketPolicy(
      `${name}-trail-bucket-policy`,
      {
        bucket: bucket.id,
        policy: policyJson([
          {
            Sid: "CloudTrailReadsTheAcl",
            Effect: "Allow",
            Principal: { Service: ["cloudtrail.amazonaws.com"] },
            Action: ["s3:GetBucketAcl"],
            Resource: bucket.arn,
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
          },
          {
            Sid: "CloudTrailWritesThisAccountsLogs",
            Effect: "Allow",
            Principal: { Service: ["cloudtrail.amazonaws.com"] },
            Action: ["s3:PutObject"],
            Resource: pulumi.interpolate`${bucket.arn}/AWSLogs/${accountId}/*`,
            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
          },
        ]),
      },
      { parent: this },
    );
    new aws.cloudtrail.Trail(
      `${name}-trail`,
      {
        name: trailName,
        s3BucketName: bucket.id,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
      },
      { parent: this, dependsOn: [policy] },
    );
  }
}
