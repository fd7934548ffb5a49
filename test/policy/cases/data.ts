import { compliantStack, withChange } from "../fixture-stack";
import type { Case } from "./case";

/** Where data and signals go: log groups, topics, queues, tables, secrets, alarms, schedules. */
export const dataCases: Case[] = [
  {
    policy: "log-group-retention",
    passes: [{ name: "365 days", stack: compliantStack }],
    violations: [
      {
        name: "forever",
        stack: () => withChange("withdraw-logs", "aws:cloudwatch/logGroup:LogGroup", (i) => delete i.retentionInDays),
        message: /forever/,
      },
    ],
  },
  {
    policy: "log-group-cmk",
    passes: [{ name: "kit key", stack: compliantStack }],
    violations: [
      {
        name: "no key",
        stack: () => withChange("withdraw-logs", "aws:cloudwatch/logGroup:LogGroup", (i) => delete i.kmsKeyId),
        message: /kmsKeyId is not set/,
      },
    ],
  },
  {
    policy: "sns-topic-cmk",
    passes: [{ name: "kit key", stack: compliantStack }],
    violations: [
      {
        name: "AWS-managed key",
        stack: () => withChange("alerts", "aws:sns/topic:Topic", (i) => (i.kmsMasterKeyId = "alias/aws/sns")),
        message: /alias\/aws\/sns, not a customer-managed key/,
      },
    ],
  },
  {
    policy: "sqs-queue-cmk",
    passes: [{ name: "kit key", stack: compliantStack }],
    violations: [
      {
        name: "SQS-managed encryption",
        stack: () =>
          withChange("withdraw-dlq", "aws:sqs/queue:Queue", (i) => {
            delete i.kmsMasterKeyId;
            i.sqsManagedSseEnabled = true;
          }),
        message: /\(unset\), not a customer-managed key/,
      },
    ],
  },
  {
    policy: "dynamodb-table-cmk",
    passes: [{ name: "kit key", stack: compliantStack }],
    violations: [
      {
        name: "AWS-owned key",
        stack: () =>
          withChange("idempotency", "aws:dynamodb/table:Table", (i) => (i.serverSideEncryption = { enabled: true })),
        message: /does not name a customer-managed key/,
      },
    ],
  },
  {
    policy: "dynamodb-point-in-time-recovery",
    passes: [{ name: "enabled", stack: compliantStack }],
    violations: [
      {
        name: "disabled",
        stack: () =>
          withChange("idempotency", "aws:dynamodb/table:Table", (i) => (i.pointInTimeRecovery = { enabled: false })),
        message: /pointInTimeRecovery/,
      },
    ],
  },
  {
    policy: "secret-cmk",
    passes: [{ name: "kit key", stack: compliantStack }],
    violations: [
      {
        name: "default key",
        stack: () => withChange("rpc", "aws:secretsmanager/secret:Secret", (i) => delete i.kmsKeyId),
        message: /not a customer-managed key/,
      },
    ],
  },
  {
    policy: "alarm-has-action",
    passes: [{ name: "notifies the topic", stack: compliantStack }],
    violations: [
      {
        name: "no action",
        stack: () => withChange("gas-low", "aws:cloudwatch/metricAlarm:MetricAlarm", (i) => (i.alarmActions = [])),
        message: /alarmActions is empty/,
      },
      {
        name: "actions disabled",
        stack: () => withChange("gas-low", "aws:cloudwatch/metricAlarm:MetricAlarm", (i) => (i.actionsEnabled = false)),
        message: /actionsEnabled is false/,
      },
    ],
  },
  {
    policy: "scheduler-target-retry-and-dlq",
    passes: [{ name: "3 retries and a DLQ", stack: compliantStack }],
    violations: [
      {
        name: "no retries, no DLQ",
        stack: () =>
          withChange(
            "withdraw",
            "aws:scheduler/schedule:Schedule",
            (i) => (i.target = { arn: "a", roleArn: "r", retryPolicy: { maximumRetryAttempts: 0 } }),
          ),
        message: /maximumRetryAttempts is 0/,
      },
    ],
  },
];
