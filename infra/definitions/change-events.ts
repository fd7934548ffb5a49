import * as pulumi from "@pulumi/pulumi";

/**
 * EventBridge patterns for the CloudTrail management events that could let
 * someone sign: changes to the signer key, to the secrets' policies, and to
 * the code, configuration or role of a signing job. CloudTrail delivers them
 * to EventBridge as "AWS API Call via CloudTrail" only where a trail logs
 * management events; IAM's arrive in us-east-1 only.
 */

const apiCall = "AWS API Call via CloudTrail";

export interface SignerKeyRefs {
  readonly keyId: pulumi.Input<string>;
  readonly keyArn: pulumi.Input<string>;
  readonly aliasName: pulumi.Input<string>;
}

/** The KMS calls that change who may sign, or stop the key: on the signer key, named by id, ARN or alias. */
export const signerKeyEventNames = [
  "PutKeyPolicy",
  "CreateGrant",
  "DisableKey",
  "ScheduleKeyDeletion",
  "CreateAlias",
  "UpdateAlias",
  "DeleteAlias",
] as const;

export function signerKeyChanges(key: SignerKeyRefs): pulumi.Output<string> {
  return pulumi.all([key.keyId, key.keyArn, key.aliasName]).apply(([keyId, keyArn, aliasName]) =>
    JSON.stringify({
      source: ["aws.kms"],
      "detail-type": [apiCall],
      detail: {
        eventSource: ["kms.amazonaws.com"],
        eventName: signerKeyEventNames,
        // A caller may name the key by id, ARN or alias; alias calls name it as the target.
        $or: [
          { requestParameters: { keyId: [keyId, keyArn, aliasName] } },
          { requestParameters: { targetKeyId: [keyId, keyArn] } },
          { requestParameters: { aliasName: [aliasName] } },
        ],
      },
    }),
  );
}

export const secretPolicyEventNames = ["PutResourcePolicy", "DeleteResourcePolicy"] as const;

/** Resource-policy changes on the kit's secrets, named by ARN or name. */
export function secretPolicyChanges(
  secrets: readonly { readonly arn: pulumi.Input<string>; readonly name: pulumi.Input<string> }[],
): pulumi.Output<string> {
  return pulumi.all(secrets.flatMap((secret) => [secret.arn, secret.name])).apply((ids) =>
    JSON.stringify({
      source: ["aws.secretsmanager"],
      "detail-type": [apiCall],
      detail: {
        eventSource: ["secretsmanager.amazonaws.com"],
        eventName: secretPolicyEventNames,
        requestParameters: { secretId: ids },
      },
    }),
  );
}

/** Code or configuration changes of the signing jobs' functions (CloudTrail suffixes Lambda's event names with an API version). */
export function signingJobChanges(
  functions: readonly { readonly arn: pulumi.Input<string>; readonly name: pulumi.Input<string> }[],
): pulumi.Output<string> {
  return pulumi.all(functions.flatMap((fn) => [fn.arn, fn.name])).apply((ids) =>
    JSON.stringify({
      source: ["aws.lambda"],
      "detail-type": [apiCall],
      detail: {
        eventSource: ["lambda.amazonaws.com"],
        eventName: [{ prefix: "UpdateFunctionCode" }, { prefix: "UpdateFunctionConfiguration" }],
        requestParameters: { functionName: ids },
      },
    }),
  );
}

export const roleEventNames = [
  "PutRolePolicy",
  "DeleteRolePolicy",
  "AttachRolePolicy",
  "DetachRolePolicy",
  "UpdateAssumeRolePolicy",
  "PutRolePermissionsBoundary",
] as const;

/** Permission or trust changes of the signing jobs' roles (IAM: logged in us-east-1 only). */
export function signingRoleChanges(roleNames: readonly pulumi.Input<string>[]): pulumi.Output<string> {
  return pulumi.all([...roleNames]).apply((names) =>
    JSON.stringify({
      source: ["aws.iam"],
      "detail-type": [apiCall],
      detail: { eventSource: ["iam.amazonaws.com"], eventName: roleEventNames, requestParameters: { roleName: names } },
    }),
  );
}
