/**
 * IAM principal ARNs as the checks compare them. An assumed-role session ARN
 * (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) drops the role's
 * path, so the issuer role is looked up by name to compare full ARNs.
 */
export interface ParsedPrincipal {
  readonly partition: string;
  readonly account: string;
  readonly kind: "role" | "user" | "assumed-role" | "root" | "other";
  /** The role or user name, without its path. */
  readonly name: string;
}

export function parsePrincipalArn(arn: string): ParsedPrincipal {
  const match = /^arn:([a-z-]+):(iam|sts)::([0-9]{12}):(.+)$/.exec(arn);
  if (!match) return { partition: "aws", account: "", kind: "other", name: arn };
  const [, partition = "aws", service, account = "", resource = ""] = match;
  if (resource === "root") return { partition, account, kind: "root", name: "root" };
  const segments = resource.split("/");
  const [type] = segments;
  if (service === "sts" && type === "assumed-role")
    return { partition, account, kind: "assumed-role", name: segments[1] ?? "" };
  if (service === "iam" && (type === "role" || type === "user"))
    return { partition, account, kind: type, name: segments[segments.length - 1] ?? "" };
  return { partition, account, kind: "other", name: resource };
}

/** Same principal by ARN, or, when a path could not be read, by account, kind and name. */
export function sameRoleIgnoringPath(a: string, b: string): boolean {
  const left = parsePrincipalArn(a);
  const right = parsePrincipalArn(b);
  return (
    left.kind !== "other" && left.account === right.account && left.kind === right.kind && left.name === right.name
  );
}
