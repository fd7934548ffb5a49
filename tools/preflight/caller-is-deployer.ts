import { GetRoleCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { errorName, fail, pass, type CheckResult, type PreflightCheck, type PreflightContext } from "./check";
import { parsePrincipalArn, sameRoleIgnoringPath } from "./principal-arn";

const name = "caller is a deployer";

/** The IAM ARN behind the caller: the user, or for an assumed-role session the issuer role (with its path, read from IAM). */
async function callerPrincipal(
  context: PreflightContext,
  sessionArn: string,
): Promise<{ arn: string; exact: boolean }> {
  const parsed = parsePrincipalArn(sessionArn);
  if (parsed.kind !== "assumed-role") return { arn: sessionArn, exact: true };
  try {
    const { Role } = await context.aws.iam.send(new GetRoleCommand({ RoleName: parsed.name }));
    if (Role?.Arn) return { arn: Role.Arn, exact: true };
  } catch (error) {
    // Without iam:GetRole the path is unknown: compare by name (the issuer role's account and name are in the session ARN).
    if (errorName(error) !== "AccessDenied" && errorName(error) !== "AccessDeniedException") throw error;
  }
  return { arn: `arn:${parsed.partition}:iam::${parsed.account}:role/${parsed.name}`, exact: false };
}

export const callerIsDeployer: PreflightCheck = {
  name,
  permissions: ["sts:GetCallerIdentity", "iam:GetRole"],
  async run(context): Promise<CheckResult[]> {
    const { config, stackFile } = context;
    const stack = config.stack;
    const identity = await context.aws.sts.send(new GetCallerIdentityCommand({}));
    const sessionArn = identity.Arn ?? "(unknown)";
    const account = identity.Account ?? "";
    const results: CheckResult[] = [];

    if (stackFile.allowedAccountIds && !stackFile.allowedAccountIds.includes(account)) {
      results.push(
        fail(
          name,
          `the credentials are for account ${account}; aws:allowedAccountIds is ${stackFile.allowedAccountIds.join(", ")}`,
          `sign in to account ${stackFile.allowedAccountIds.join(" or ")} (aws sso login --profile <that account's deploy profile>)`,
        ),
      );
    }
    const parsed = parsePrincipalArn(sessionArn);
    if (parsed.kind === "root") {
      return [
        ...results,
        fail(name, `the caller is the account root (${sessionArn})`, "sign in as a deployer role, never the root user"),
      ];
    }
    const deployers = config.aws.deployers;
    if (deployers.length === 0) {
      return [
        ...results,
        fail(
          name,
          "boson-kit:deployers is not set, so nobody is a deployer",
          `pulumi config set --path 'boson-kit:deployers[0]' <the deploy role ARN> --stack ${stack}`,
        ),
      ];
    }
    const principal = await callerPrincipal(context, sessionArn);
    const matches = (arn: string) =>
      principal.exact ? arn === principal.arn : sameRoleIgnoringPath(arn, principal.arn);
    const via = parsed.kind === "assumed-role" ? ` (session ${sessionArn})` : "";
    if (deployers.some(matches)) {
      return results.length > 0 ? results : [pass(name, `${principal.arn}${via} is in boson-kit:deployers`)];
    }
    const role = config.aws.previewers.some(matches)
      ? "a previewer (pulumi preview only, no secret decryption)"
      : config.aws.kmsAdministrators.some(matches)
        ? "a key administrator, who manages keys but does not deploy"
        : "not in boson-kit:deployers";
    results.push(
      fail(
        name,
        `${principal.arn}${via} is ${role}`,
        `run as one of ${deployers.join(", ")}, or add it: pulumi config set --path 'boson-kit:deployers[${deployers.length}]' ${principal.arn} --stack ${stack}`,
      ),
    );
    return results;
  },
};
