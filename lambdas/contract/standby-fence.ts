/**
 * The fence between a primary stack and its standby: while the standby is
 * switched on, it declares a KMS alias of this name in its own region (the
 * replica key's), and the primary's signing jobs look it up there before each
 * run. The fence lives in the standby's region because the primary's region
 * was down when the standby was switched on: nothing could be written there.
 */

/** KMS alias names: `alias/` then letters, digits, `/`, `_` and `-`, 256 characters at most; `alias/aws/` is AWS's. */
const aliasNamePattern = /^alias\/[a-zA-Z0-9/_-]+$/;

/** The fence alias of `primaryStack` (its short name; an `org/project/stack` reference is cut to the stack). */
export function standbyFenceAliasName(project: string, primaryStack: string): string {
  const stack = primaryStack.split("/").pop() ?? primaryStack;
  const name = `alias/${project}/${stack}/standby-active`;
  if (!aliasNamePattern.test(name) || name.length > 256 || name.startsWith("alias/aws/"))
    throw new Error(
      `the standby fence alias ${name} is not a valid KMS alias name (letters, digits, /, _ and - only, at most 256 characters): rename the project or stack ${primaryStack} without other characters`,
    );
  return name;
}

/**
 * The alias's ARN in the replica key's region and account. An alias is
 * regional: the one that counts is next to the replica, in the standby's region.
 */
export function standbyFenceAliasArn(replicaKeyArn: string, aliasName: string): string {
  const match = /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}):key\/.+$/.exec(replicaKeyArn);
  if (match?.[1] === undefined)
    throw new Error(`${replicaKeyArn} is not a KMS key ARN: the standby fence is read in the replica key's region`);
  return `${match[1]}:${aliasName}`;
}
