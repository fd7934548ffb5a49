import * as pulumi from "@pulumi/pulumi";
import type { PolicyCondition, PolicyStatement } from "./policy-document";

/**
 * Building blocks shared by every KMS key policy in the kit. No key policy
 * names the account root or a wildcard: only the principals listed here can
 * use a key, whatever IAM policies exist elsewhere in the account.
 */

/**
 * What key administrators may do: manage the key's lifecycle and policy, and
 * read its metadata. No cryptographic operation, and no `kms:CreateGrant`
 * (a grant would let an administrator hand itself the right to sign).
 */
export const keyAdministrationActions = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RevokeGrant",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
] as const;

/**
 * What the deployers (config `deployers`: the role that runs `pulumi up` and
 * `pulumi refresh`) need on every key: create it (KMS's lockout check refuses
 * a key policy that would not let its creator call PutKeyPolicy later), read
 * it back on refresh, keep its rotation, tags, description and alias, and
 * schedule a replaced data key's deletion. No cryptographic operation.
 *
 * Whoever holds kms:PutKeyPolicy (deployers and administrators alike) can
 * rewrite the policy to grant themselves kms:Sign: the readiness review lists
 * them as effective signers, and the key-change alerts watch PutKeyPolicy.
 */
export const keyDeploymentActions = [
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
] as const;

/** The statement that lets the deployers create, refresh and update a key, never use it. */
export function deployersStatement(deployers: readonly pulumi.Input<string>[]): PolicyStatement {
  return {
    Sid: "DeployersDeployTheKey",
    Effect: "Allow",
    Principal: { AWS: deployers },
    Action: keyDeploymentActions,
    Resource: "*",
  };
}

/** The actions a principal needs to encrypt and decrypt through a service that uses envelope encryption. */
export const envelopeEncryptionActions = [
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:DescribeKey",
] as const;

/** Restricts a key use to requests that a given AWS service makes on the caller's behalf. */
export function viaService(service: string, region: string): PolicyCondition {
  return { StringEquals: { "kms:ViaService": `${service}.${region}.amazonaws.com` } };
}

/** The statement that lets the administrators manage a key without using it. */
export function administratorsStatement(administrators: readonly pulumi.Input<string>[]): PolicyStatement {
  return {
    Sid: "AdministratorsManageTheKey",
    Effect: "Allow",
    Principal: { AWS: administrators },
    Action: keyAdministrationActions,
    Resource: "*",
  };
}

/** Lets CloudWatch Logs encrypt the account's log groups in `region` with the key. */
export function cloudWatchLogsStatement(sid: string, region: string, accountId: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: [`logs.${region}.amazonaws.com`] },
    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    Resource: "*",
    Condition: {
      ArnLike: {
        "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:aws:logs:${region}:${accountId}:log-group:*`,
      },
    },
  };
}

/** Lets `senders` write to queues encrypted with the key, through SQS only (Lambda and Scheduler dead-letter as these roles). */
export function deadLetterSendersStatement(
  sid: string,
  senders: readonly pulumi.Input<string>[],
  region: string,
): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { AWS: senders },
    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
    Resource: "*",
    Condition: viaService("sqs", region),
  };
}
