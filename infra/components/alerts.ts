import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { JobName } from "../../lambdas/contract";
import {
  jobAlarms,
  moneyAlarms,
  protocolAlarms,
  transactionAlarms,
  type AlarmDefinition,
  type AlarmInputs,
} from "../definitions/alarms";
import { signerAlarms } from "../definitions/signer-alarms";
import { EncryptionKey } from "./encryption-key";
import { policyJson } from "../definitions/policy-document";
import type { SlackConfig } from "../slack-config";
import { SlackChannel } from "./slack-channel";

export interface AlertsArgs extends AlarmInputs {
  /** The stack's region: the change watch's rules publish from there. */
  readonly region: string;
  readonly administrators: readonly pulumi.Input<string>[];
  /** Run `pulumi up` and refresh: what deploying needs on the keys, never signing (config `deployers`). */
  readonly deployers: readonly pulumi.Input<string>[];
  /** Who is paged: from config `alerts`. */
  readonly subscriptions: {
    readonly emails: readonly string[];
    readonly httpsEndpoints: readonly string[];
    readonly secretEndpoints?: readonly pulumi.Output<string>[];
    /** A Slack channel that receives the alerts through AWS Chatbot. */
    readonly slack?: SlackConfig | undefined;
  };
  /** Each job's Lambda and dead-letter queue, for the per-job alarms. */
  readonly jobs: readonly {
    readonly job: JobName;
    readonly functionName: pulumi.Input<string>;
    readonly queueName: pulumi.Input<string>;
  }[];
  /** A standby stack that is switched off: its silent jobs are expected, so alarms on missing data notify nobody. */
  readonly silentJobsExpected?: boolean;
  /** The signing key has a replica region: the failover and standby-fence alarms apply. */
  readonly signerReplica?: boolean;
}

/**
 * Alerts (checklist B3, H3, H5, O6): an encrypted SNS topic with the stack's
 * subscriptions, and one CloudWatch alarm per definition in
 * `infra/definitions/alarms.ts`, each notifying the topic when it fires and when it
 * clears.
 */
export class Alerts extends pulumi.ComponentResource {
  public readonly topic: aws.sns.Topic;
  public readonly topicArn: pulumi.Output<string>;
  public readonly alarms: ReadonlyMap<string, aws.cloudwatch.MetricAlarm>;

  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:alerts:Alerts", name, {}, opts);
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    const key = new EncryptionKey(
      `${name}-topic`,
      {
        description: "Encrypts the alert topic's messages",
        administrators: args.administrators,
        deployers: args.deployers,
        uses: [
          {
            // CloudWatch publishes alarm state changes to the encrypted topic.
            Sid: "CloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: ["cloudwatch.amazonaws.com"] },
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
          },
          {
            // The change watch's EventBridge rules publish CloudTrail events to the encrypted topic.
            Sid: "ChangeWatchRulesPublish",
            Effect: "Allow",
            Principal: { Service: ["events.amazonaws.com"] },
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
            Resource: "*",
          },
        ],
      },
      { parent: this },
    );

    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      { displayName: "Boson kit alerts", kmsMasterKeyId: key.arn },
      { parent: this },
    );
    this.topicArn = this.topic.arn;
    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: this.topic.arn,
        policy: policyJson([
          {
            Sid: "OnlyThisAccountsAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: ["cloudwatch.amazonaws.com"] },
            Action: ["sns:Publish"],
            Resource: this.topic.arn,
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
          },
          {
            Sid: "OnlyThisAccountsChangeWatchPublishes",
            Effect: "Allow",
            Principal: { Service: ["events.amazonaws.com"] },
            Action: ["sns:Publish"],
            Resource: this.topic.arn,
            Condition: {
              ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:events:${args.region}:${accountId}:rule/*` },
            },
          },
        ]),
      },
      { parent: this },
    );

    args.subscriptions.emails.forEach((email, index) => {
      new aws.sns.TopicSubscription(
        `${name}-email-${index + 1}`,
        { topic: this.topic.arn, protocol: "email", endpoint: email },
        { parent: this },
      );
    });
    args.subscriptions.httpsEndpoints.forEach((endpoint, index) => {
      new aws.sns.TopicSubscription(
        `${name}-https-${index + 1}`,
        { topic: this.topic.arn, protocol: "https", endpoint },
        { parent: this },
      );
    });
    // Secret endpoints stay Pulumi secrets all the way to SNS (encrypted in the state, hidden in the plan).
    (args.subscriptions.secretEndpoints ?? []).forEach((endpoint, index) => {
      new aws.sns.TopicSubscription(
        `${name}-secret-https-${index + 1}`,
        { topic: this.topic.arn, protocol: "https", endpoint },
        { parent: this },
      );
    });

    if (args.subscriptions.slack) {
      new SlackChannel(
        `${name}-slack`,
        {
          slack: args.subscriptions.slack,
          configurationName: `boson-kit-${args.stack}-alerts`.replace(/[^A-Za-z0-9_-]/g, "-"),
          topicArns: [this.topic.arn],
        },
        { parent: this },
      );
    }

    const definitions = [
      ...protocolAlarms(args),
      ...moneyAlarms(args),
      ...args.jobs.flatMap((target) => [
        ...transactionAlarms(args, target.job),
        ...jobAlarms(args.stack, target.job, target),
      ]),
      ...signerAlarms(args.stack, { replica: args.signerReplica === true }),
    ];
    this.alarms = new Map(
      definitions.map((definition) => [
        definition.name,
        this.declareAlarm(name, definition, args.silentJobsExpected === true),
      ]),
    );

    this.registerOutputs({ topicArn: this.topicArn, alarmCount: definitions.length });
  }

  private declareAlarm(
    name: string,
    definition: AlarmDefinition,
    silentJobsExpected: boolean,
  ): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
      `${name}-${definition.name}`,
      {
        alarmDescription: `[${definition.severity}] ${definition.description}`,
        namespace: definition.namespace,
        metricName: definition.metricName,
        dimensions: definition.dimensions,
        statistic: definition.statistic,
        period: definition.periodSeconds,
        evaluationPeriods: definition.evaluationPeriods,
        datapointsToAlarm: definition.datapointsToAlarm ?? definition.evaluationPeriods,
        comparisonOperator: definition.comparisonOperator,
        threshold: definition.threshold,
        treatMissingData: definition.treatMissingData,
        actionsEnabled: !(silentJobsExpected && definition.treatMissingData === "breaching"),
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
        tags: { Severity: definition.severity },
      },
      { parent: this },
    );
  }
}
