import { GetRoleCommand, GetUserCommand } from "@aws-sdk/client-iam";
import { GetKeyPolicyCommand } from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { parsePolicyDocument, principalIds } from "../../infra/policy/iam-document";
import { errorName, fail, info, pass, type CheckResult, type PreflightCheck, type PreflightContext } from "./check";
import { parsePrincipalArn } from "./principal-arn";
import { signerKeyId } from "./signer-key";

const name = "principals match the key";

/**
 * IAM unique ids: AROA for roles, AIDA for users. A key policy stores the
 * principal's unique id and shows its ARN back while that principal lives;
 * once it is deleted the policy shows the bare id, and a role recreated under
 * the same name (an SSO permission-set change does this) gets a new id that
 * the policy does not name.
 */
const uniqueIdPattern = /^A(RO|ID)A[A-Z0-9]{12,}$/;

interface LivePrincipal {
  readonly arn: string;
  readonly uniqueId: string;
}

type Lookup = { found: LivePrincipal } | { missing: true } | { elsewhere: string };

async function lookUp(context: PreflightContext, arn: string, callerAccount: string): Promise<Lookup> {
  const parsed = parsePrincipalArn(arn);
  if (parsed.account !== callerAccount) return { elsewhere: parsed.account };
  try {
    if (parsed.kind === "role") {
      const { Role } = await context.aws.iam.send(new GetRoleCommand({ RoleName: parsed.name }));
      return { found: { arn: Role?.Arn ?? "", uniqueId: Role?.RoleId ?? "" } };
    }
    const { User } = await context.aws.iam.send(new GetUserCommand({ UserName: parsed.name }));
    return { found: { arn: User?.Arn ?? "", uniqueId: User?.UserId ?? "" } };
  } catch (error) {
    if (errorName(error) === "NoSuchEntity" || errorName(error) === "NoSuchEntityException") return { missing: true };
    throw error;
  }
}

/** Every `Principal.AWS` entry of a key policy document. */
function policyPrincipals(policy: string): string[] {
  const document = parsePolicyDocument(policy);
  if (!document.ok) throw new Error(`the signer's live key policy ${document.error}`);
  return document.statements.filter((statement) => !statement.notPrincipal).flatMap((s) => principalIds(s, "AWS"));
}

/** The signer key's live policy, or undefined when the key does not exist yet (a first deploy). */
async function liveKeyPolicy(context: PreflightContext): Promise<{ keyId: string; principals: string[] } | undefined> {
  const keyId = await signerKeyId(context);
  if (keyId === undefined) return undefined;
  const { Policy } = await context.aws.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" }));
  return { keyId, principals: Policy === undefined ? [] : policyPrincipals(Policy) };
}

export const principalsMatchTheKey: PreflightCheck = {
  name,
  permissions: ["iam:GetRole", "iam:GetUser", "kms:DescribeKey", "kms:GetKeyPolicy"],
  async run(context): Promise<CheckResult[]> {
    const { config, needs } = context;
    const stack = config.stack;
    const configured = [
      ...config.aws.kmsAdministrators.map((arn) => ({ arn, list: "kmsAdministrators" })),
      ...config.aws.deployers.map((arn) => ({ arn, list: "deployers" })),
    ];
    const { Account = "" } = await context.aws.sts.send(new GetCallerIdentityCommand({}));
    const results: CheckResult[] = [];
    const live = new Map<string, LivePrincipal>();

    for (const { arn, list } of configured) {
      const found = await lookUp(context, arn, Account);
      if ("missing" in found) {
        results.push(
          fail(
            name,
            `${arn} (boson-kit:${list}) does not exist in account ${Account}`,
            `create it, or replace it: pulumi config set --path 'boson-kit:${list}[<i>]' <an existing ARN> --stack ${stack}`,
          ),
        );
      } else if ("elsewhere" in found) {
        results.push(
          info(name, `${arn} (boson-kit:${list}) is in account ${found.elsewhere}: checked only from that account`),
        );
      } else if (found.found.arn !== arn) {
        results.push(
          fail(
            name,
            `${arn} (boson-kit:${list}) exists as ${found.found.arn} (another path)`,
            `pulumi config set --path 'boson-kit:${list}[<i>]' ${found.found.arn} --stack ${stack}`,
          ),
        );
      } else {
        live.set(arn, found.found);
      }
    }

    const alias = needs.signerKeyAlias;
    if (!alias)
      return results.length > 0
        ? results
        : [pass(name, `${live.size} principals exist; the stack declares no signing key`)];
    const policy = await liveKeyPolicy(context);
    if (!policy) {
      results.push(
        pass(name, `${live.size} of ${configured.length} principals exist; ${alias} does not exist yet (first deploy)`),
      );
      return results;
    }
    const named = new Set(policy.principals);
    const deleted = [...named].filter(
      (entry) => uniqueIdPattern.test(entry) && ![...live.values()].some((principal) => principal.uniqueId === entry),
    );
    for (const [arn, principal] of live) {
      if (named.has(arn) || named.has(principal.uniqueId)) continue;
      if (deleted.length > 0) {
        results.push(
          fail(
            name,
            `the policy of ${alias} (${policy.keyId}) names ${deleted.join(", ")} (deleted principals) and not ${arn}, now ${principal.uniqueId}: it was deleted and recreated`,
            `a principal the policy still names runs pulumi up to re-apply the policy (aws kms put-key-policy --key-id ${policy.keyId} --policy-name default); if none is left, only AWS Support can restore access`,
          ),
        );
      }
    }
    if (results.every((result) => result.status !== "fail")) {
      results.push(
        pass(
          name,
          `${live.size} principals exist and the live policy of ${alias} names the same principals (or pulumi up adds them)`,
        ),
      );
    }
    return results;
  },
};
