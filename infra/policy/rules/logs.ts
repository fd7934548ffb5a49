import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { resourcePolicy, type KitPolicy } from "../kit-policy";
import { asNumber, asString } from "./props";

/** B1: the jobs' log records are kept for a known time and encrypted with the kit's own key. */
export const logPolicies: KitPolicy[] = [
  resourcePolicy(
    { checklist: ["B1"], checkov: ["CKV_AWS_66"] },
    {
      name: "log-group-retention",
      description:
        "Every CloudWatch log group has a retention period (the stack's logRetentionDays), never 'keep forever'.",
      remediationSteps: "Set retentionInDays from the stack config (logRetentionDays).",
      validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, reportViolation) => {
        const days = asNumber(group.retentionInDays);
        if (days === undefined || days <= 0)
          reportViolation("retentionInDays is not set: CloudWatch would keep these logs (and bill for them) forever");
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["B1", "C1"], checkov: ["CKV_AWS_158"], trivy: ["AVD-AWS-0017"] },
    {
      name: "log-group-cmk",
      description: "Every CloudWatch log group is encrypted with a customer-managed KMS key.",
      remediationSteps: "Set kmsKeyId to the logs key's ARN (its key policy must allow logs.<region>.amazonaws.com).",
      validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, reportViolation) => {
        if (asString(group.kmsKeyId) === undefined) reportViolation("kmsKeyId is not set");
      }),
    },
  ),
];
