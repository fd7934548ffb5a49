import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { configNamespace, configPath, type KitConfig } from "./config";

/**
 * Under the Pulumi CLI, before any resource is declared: is the caller one of
 * the stack's `deployers` (or, for `pulumi preview` only, `previewers`)? KMS
 * refuses to create a key whose policy would lock its creator out, and the
 * AWS provider retries that refusal until it times out halfway through a
 * deploy; this check refuses in one line, with the fix, instead.
 */

/** An IAM identity as IAM names it: roles and users are unique by name within an account, whatever their path. */
export interface IamIdentity {
  readonly account: string;
  readonly kind: "role" | "user" | "root";
  readonly name: string;
}

/**
 * The IAM identity behind an ARN. A session ARN
 * (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`, what GetCallerIdentity
 * returns for SSO and CI roles) names its role without the role's path, so
 * identities compare by account, kind and name.
 */
export function iamIdentity(arn: string): IamIdentity | undefined {
  const match = /^arn:aws[a-z-]*:(iam|sts)::([0-9]{12}):(.+)$/.exec(arn);
  if (!match) return undefined;
  const [, service, account = "", resource = ""] = match;
  if (resource === "root") return { account, kind: "root", name: "root" };
  const [type, ...rest] = resource.split("/");
  if (service === "sts" && type === "assumed-role" && rest.length >= 2)
    return { account, kind: "role", name: rest[0] ?? "" };
  if (service === "iam" && (type === "role" || type === "user") && rest.length >= 1)
    return { account, kind: type, name: rest.at(-1) ?? "" };
  return undefined;
}

function sameIdentity(a: IamIdentity | undefined, b: IamIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.account === b.account && a.kind === b.kind && a.name === b.name;
}

/** Why `callerArn` may not run this operation on the stack, in one line with the fix; undefined when it may. */
export function callerProblem(
  callerArn: string,
  config: KitConfig,
  operation: "preview" | "update",
): string | undefined {
  const caller = iamIdentity(callerArn);
  const listed = (arns: readonly string[]) => arns.some((arn) => sameIdentity(iamIdentity(arn), caller));
  if (listed(config.aws.deployers)) return undefined;
  if (operation === "preview" && listed(config.aws.previewers)) return undefined;
  const who = caller
    ? `${caller.kind} ${caller.name} in account ${caller.account}`
    : "an identity that is not an IAM role or user";
  if (listed(config.aws.previewers)) {
    return `${callerArn} (${who}) is in ${configNamespace}:previewers, which may only run \`pulumi preview\`; fix: run \`pulumi up\` as one of ${configNamespace}:deployers (${config.aws.deployers.join(", ")})`;
  }
  const suggestion =
    caller?.kind === "role" || caller?.kind === "user"
      ? `arn:aws:iam::${caller.account}:${caller.kind}/<path/>${caller.name}`
      : "<role ARN>";
  const key = configPath(["deployers", config.aws.deployers.length]);
  return (
    `${callerArn} (${who}) is not in ${configNamespace}:deployers, so KMS would refuse to create the stack's keys; ` +
    `fix: run as one of ${config.aws.deployers.join(", ")}, or add it: pulumi config set --path '${key}' ${suggestion} --stack ${config.stack}`
  );
}

/** Asks AWS who is calling and refuses, before anything is declared, when the config does not name it. */
export async function assertCallerMayDeploy(config: KitConfig): Promise<void> {
  const identity = await aws.getCallerIdentity({});
  const problem = callerProblem(identity.arn, config, pulumi.runtime.isDryRun() ? "preview" : "update");
  // RunError prints its message alone, without a stack trace: the message is the fix.
  if (problem)
    throw new pulumi.RunError(
      `refusing to ${pulumi.runtime.isDryRun() ? "preview" : "deploy"} ${config.stack}: ${problem}`,
    );
}
