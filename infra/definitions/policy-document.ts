import * as pulumi from "@pulumi/pulumi";

/**
 * IAM, KMS, Secrets Manager and SNS policies as typed objects, serialized with
 * JSON.stringify once their ARNs are known. Built in code rather than through
 * `aws.iam.getPolicyDocument`, so the offline evaluation needs no invoke mock
 * and the tests can parse exactly what AWS receives.
 */

export type PolicyPrincipal =
  { readonly AWS: readonly pulumi.Input<string>[] } | { readonly Service: readonly string[] };

/** Condition operator (StringEquals, ArnLike...) -> condition key -> value(s). */
export type PolicyCondition = Readonly<
  Record<string, Readonly<Record<string, pulumi.Input<string> | readonly pulumi.Input<string>[]>>>
>;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: PolicyPrincipal;
  readonly Action: readonly string[];
  /** Absent in trust policies; "*" in a key policy means "this key". */
  readonly Resource?: pulumi.Input<string> | readonly pulumi.Input<string>[];
  readonly Condition?: PolicyCondition;
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

/** The same statements with every ARN resolved, as AWS will read them. */
export function policyJson(statements: readonly PolicyStatement[]): pulumi.Output<string> {
  const document: PolicyDocument = { Version: "2012-10-17", Statement: statements };
  return pulumi.output(document).apply((resolved) => JSON.stringify(resolved));
}

/**
 * Trust policy that lets one AWS service assume a role. With `sourceAccount`,
 * only on behalf of this account (confused deputy); EventBridge Scheduler
 * sets that key, Lambda does not when it assumes an execution role.
 */
export function assumeRolePolicy(service: string, sourceAccount?: pulumi.Input<string>): pulumi.Output<string> {
  return policyJson([
    {
      Sid: "AssumedByService",
      Effect: "Allow",
      Principal: { Service: [service] },
      Action: ["sts:AssumeRole"],
      ...(sourceAccount === undefined ? {} : { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }),
    },
  ]);
}
