import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { resourcePolicy, type KitPolicy } from "../kit-policy";
import { asNumber, asRecord, asString, asStrings } from "./props";

/** Alarms page someone, and scheduled jobs retry and keep what still fails. */
export const alertingPolicies: KitPolicy[] = [
  resourcePolicy(
    { checklist: ["B3", "H5", "O6"], checkov: ["CKV_AWS_319"] },
    {
      name: "alarm-has-action",
      description: "Every CloudWatch alarm has an enabled alarm action: an alarm nobody receives is not an alert.",
      remediationSteps: "Set alarmActions to the alerts topic ARN and leave actionsEnabled unset or true.",
      validateResource: validateResourceOfType(aws.cloudwatch.MetricAlarm, (alarm, _args, reportViolation) => {
        if (asStrings(alarm.alarmActions).length === 0) reportViolation("alarmActions is empty");
        if (alarm.actionsEnabled === false) reportViolation("actionsEnabled is false");
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["M1", "H3", "O6"] },
    {
      name: "scheduler-target-retry-and-dlq",
      description:
        "Every EventBridge Scheduler target retries a failed invocation and keeps what still fails in a dead-letter queue.",
      remediationSteps: "Set target.retryPolicy.maximumRetryAttempts (at least 1) and target.deadLetterConfig.arn.",
      validateResource: validateResourceOfType(aws.scheduler.Schedule, (schedule, _args, reportViolation) => {
        const target = asRecord(schedule.target);
        const attempts = asNumber(asRecord(target.retryPolicy).maximumRetryAttempts);
        if (attempts === undefined || attempts < 1)
          reportViolation(`target.retryPolicy.maximumRetryAttempts is ${attempts ?? "(unset)"}, expected at least 1`);
        if (asString(asRecord(target.deadLetterConfig).arn) === undefined)
          reportViolation("target.deadLetterConfig.arn is not set");
      }),
    },
  ),
];
