/**
 * The fence between a primary stack and its standby: while the standby is
 * switched on, it declares a KMS alias of this name in its own region (the
 * replica key's), and the primary's signing jobs look it up there before each
 * run. The fence lives in the standby's region because the primary's region
 * was down when the standby was switched on: nothing could be written there.
 */

/** KMS alias names: `alias/` then letters, digits, `/`, `_` and `-`, 256 characters at most; `alias/aws/` is AWS's. */
const aliasNamePattern = /^alias\/[a-zA-Z0-9/_-]+$/;

/** The fence alias of `primaryStack`, a stack of `project` (an `org/project/stack` reference names its own project). */
export function standbyFenceAliasName(project: string, primaryStack: string): string {
  const parts = primaryStack.split("/");
  const [stackProject, stack] = parts.length === 3 ? [parts[1], parts[2]] : [project, primaryStack];
  const name = `alias/${stackProject}/${stack}/standby-active`;
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
