import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import { resourcePolicy, type KitPolicy } from "../kit-policy";
import { asRecord, isCustomerManagedKey } from "./props";

type PolicyText = Pick<ResourceValidationPolicy, "name" | "description" | "remediationSteps">;

/** "Every resource of `resourceClass` names a customer-managed key in its `field` input." */
function customerManagedKeyPolicy<TResource extends Resource, TArgs>(
  mapping: Parameters<typeof resourcePolicy>[0],
  text: PolicyText,
  resourceClass: Parameters<typeof validateResourceOfType<TResource, TArgs>>[0],
  field: keyof Unwrap<NonNullable<TArgs>> & string,
): ResourceValidationPolicy {
  return resourcePolicy(mapping, {
    ...text,
    validateResource: validateResourceOfType(resourceClass, (props, _args, reportViolation) => {
      const key = props[field];
      if (!isCustomerManagedKey(key))
        reportViolation(`${field} is ${String(key ?? "(unset)")}, not a customer-managed key`);
    }),
  });
}

/**
 * Data at rest (alerts, queued failures, idempotency records and events,
 * secrets) is encrypted with customer-managed keys, so the key policies in
 * this stack, not account-wide IAM, decide who can read it.
 */
export const encryptionPolicies: KitPolicy[] = [
  customerManagedKeyPolicy(
    { checklist: ["B3"], checkov: ["CKV_AWS_26"], trivy: ["AVD-AWS-0095", "AVD-AWS-0136"] },
    {
      name: "sns-topic-cmk",
      description: "Every SNS topic is encrypted with a customer-managed KMS key.",
      remediationSteps: "Set kmsMasterKeyId to the kit's key (not alias/aws/sns).",
    },
    aws.sns.Topic,
    "kmsMasterKeyId",
  ),
  customerManagedKeyPolicy(
    { checklist: ["O1"], checkov: ["CKV_AWS_27", "CKV2_AWS_73"], trivy: ["AVD-AWS-0096", "AVD-AWS-0135"] },
    {
      name: "sqs-queue-cmk",
      description: "Every SQS queue (the dead-letter queues) is encrypted with a customer-managed KMS key.",
      remediationSteps: "Set kmsMasterKeyId to the kit's key (not alias/aws/sqs, not SQS-managed SSE).",
    },
    aws.sqs.Queue,
    "kmsMasterKeyId",
  ),
  resourcePolicy(
    { checklist: ["O1", "O5"], checkov: ["CKV_AWS_119"], trivy: ["AVD-AWS-0025"] },
    {
      name: "dynamodb-table-cmk",
      description: "Every DynamoDB table is encrypted with a customer-managed KMS key.",
      remediationSteps: "Set serverSideEncryption: { enabled: true, kmsKeyArn: <the kit's key> }.",
      validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _args, reportViolation) => {
        const sse = asRecord(table.serverSideEncryption);
        if (sse.enabled !== true || !isCustomerManagedKey(sse.kmsKeyArn)) {
          reportViolation(
            "serverSideEncryption does not name a customer-managed key (the table would use an AWS-owned key)",
          );
        }
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["O1", "O5"], checkov: ["CKV_AWS_28"], trivy: ["AVD-AWS-0024"] },
    {
      name: "dynamodb-point-in-time-recovery",
      description:
        "Every DynamoDB table has point-in-time recovery: idempotency keys and stored events survive a bad write.",
      remediationSteps: "Set pointInTimeRecovery: { enabled: true }.",
      validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _args, reportViolation) => {
        if (asRecord(table.pointInTimeRecovery).enabled !== true)
          reportViolation("pointInTimeRecovery.enabled is not true");
      }),
    },
  ),
  customerManagedKeyPolicy(
    { checklist: ["S3", "S5"], checkov: ["CKV_AWS_149"], trivy: ["AVD-AWS-0098"] },
    {
      name: "secret-cmk",
      description:
        "Every Secrets Manager secret (RPC URLs, webhook HMAC key) is encrypted with a customer-managed KMS key.",
      remediationSteps: "Set kmsKeyId to the secrets key (not alias/aws/secretsmanager).",
    },
    aws.secretsmanager.Secret,
    "kmsKeyId",
  ),
];
