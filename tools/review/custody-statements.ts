import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ConfigSource } from "../../infra/config";
import { allowsAny, parsePolicyDocument, statementsOf, type Conditions } from "../../infra/policy/iam-document";
import { asString } from "../../infra/policy/rules/props";
import { types, type StackFacts } from "./stack-facts";

/**
 * The custody facts a reviewer signs: the actual statements of every key and
 * secret policy (principals, actions, conditions), who can sign now and who
 * is one step away from signing, and who deploys the stack, where its state
 * lives and what encrypts the secrets in it.
 */

export interface StatementView {
  readonly sid: string;
  readonly effect: string;
  readonly principals: readonly string[];
  readonly actions: readonly string[];
  /** The Condition block as JSON, "" when there is none. */
  readonly conditions: string;
}

export interface PolicyView {
  /** "key" or "secret", and its alias or name. */
  readonly kind: "key" | "secret";
  readonly name: string;
  readonly statements: readonly StatementView[];
}

export interface Signers {
  /** Principals the signer's key policy lets call kms:Sign, with who they are. */
  readonly direct: readonly { readonly principal: string; readonly who: string }[];
  /** Principals that can make themselves (or code they control) a signer in one step, with that step. */
  readonly oneStepAway: readonly { readonly principal: string; readonly step: string }[];
}

export interface Deployment {
  readonly deployers: readonly string[];
  readonly previewers: readonly string[];
  readonly backend: string;
  readonly secretsProvider: string;
}

/** A condition block as JSON, a list of one value shown as that value (the two mean the same to IAM). */
const conditionsJson = (conditions: Conditions): string =>
  JSON.stringify(conditions, (_key, value: unknown) =>
    Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value,
  );

/** Statements as written, principals described, conditions as JSON. */
function statementViews(policy: unknown, describe: (principal: string) => string): StatementView[] {
  const document = parsePolicyDocument(policy);
  if (!document.ok)
    return [{ sid: "(unreadable)", effect: "", principals: [], actions: [], conditions: document.error }];
  return document.statements.map((statement, index) => ({
    sid: statement.sid ?? `#${index + 1}`,
    effect: statement.effect,
    principals: statement.principals.map((p) =>
      p.kind === "AWS" ? `${p.id} (${describe(p.id)})` : `${p.kind}:${p.id}`,
    ),
    actions: statement.actions,
    conditions: statement.hasCondition ? conditionsJson(statement.conditions) : "",
  }));
}

export function policyViews(facts: StackFacts, describe: (principal: string) => string): PolicyView[] {
  const keys = facts.keys.map((key): PolicyView => ({
    kind: "key",
    name: key.alias ?? key.key.name,
    statements: statementViews(key.key.inputs.policy, describe),
  }));
  const secretPolicies = facts.ofType("aws:secretsmanager/secretPolicy:SecretPolicy");
  const secrets = facts.ofType(types.secret).map((secret): PolicyView => {
    const policy = secretPolicies.find((p) => facts.resolve(p.inputs.secretArn)?.urn === secret.urn);
    return {
      kind: "secret",
      name: secret.name,
      statements: policy ? statementViews(policy.inputs.policy, describe) : [],
    };
  });
  return [...keys, ...secrets];
}

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/** Direct signers from the key policy; one step away: whoever can rewrite that policy, or change what a signing job runs or runs as. */
export function signersOf(facts: StackFacts, deployment: Deployment, describe: (principal: string) => string): Signers {
  const signer = facts.keys.find((key) => key.secp256k1);
  if (!signer) return { direct: [], oneStepAway: [] };
  const direct = signer.roles.signers.map((principal) => ({ principal, who: describe(principal) }));
  const policyWriters = [
    ...new Set(
      statementsOf(signer.key.inputs.policy)
        .filter((s) => allowsAny(s, ["kms:PutKeyPolicy", "kms:CreateGrant"]))
        .flatMap((s) => s.principals.map((p) => p.id)),
    ),
  ];
  const signingJobs = facts.jobs.filter((job) =>
    signer.roles.signers.some((principal) => facts.resolve(principal)?.urn === job.role?.urn),
  );
  const inStack = facts.jobs.flatMap((job) =>
    job.permissions
      .filter((p) =>
        p.actions.some((a) =>
          /^(lambda:(UpdateFunction(Code|Configuration)|\*)|iam:(PassRole|PutRolePolicy|AttachRolePolicy|UpdateAssumeRolePolicy|\*))$/i.test(
            a,
          ),
        ),
      )
      .filter((p) =>
        p.targets.some((target) => signingJobs.some((s) => s.fn.urn === target.urn || s.role?.urn === target.urn)),
      )
      .map((p) => ({
        principal: job.role?.name ?? job.job,
        step: `its role may ${p.actions.join(", ")} on a signing job`,
      })),
  );
  const jobs = signingJobs.map((job) => job.job).join(", ");
  const deployers =
    deployment.deployers.length > 0
      ? deployment.deployers
      : ["whoever runs `pulumi up` (boson-kit:deployers is not set)"];
  return {
    direct,
    oneStepAway: [
      ...policyWriters.map((principal) => ({
        principal,
        step: `kms:PutKeyPolicy on the signer: can add itself as a signer (${describe(principal)})`,
      })),
      ...deployers.map((principal) => ({
        principal,
        step: `deploys the stack: can change the code, configuration or role of the signing jobs (${jobs})`,
      })),
      ...inStack,
      {
        principal:
          "any principal of the account with lambda:UpdateFunctionCode / UpdateFunctionConfiguration on the signing jobs, or iam:PassRole / iam:Put*Policy on their roles",
        step: "outside this stack: the review cannot see the account's other IAM policies; review them",
      },
    ],
  };
}

function readYaml(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  const document: unknown = parse(readFileSync(path, "utf8"));
  return document !== null && typeof document === "object" ? (document as Record<string, unknown>) : {};
}

/** Who deploys, where the state lives and what encrypts its secrets, from the config and the project and stack files. */
export function deploymentOf(source: ConfigSource | undefined, stack: string, root: string): Deployment {
  const project = readYaml(join(root, "Pulumi.yaml"));
  const stackFile = readYaml(join(root, `Pulumi.${stack}.yaml`));
  const backend = asString((project.backend as Record<string, unknown> | undefined)?.url);
  const provider = asString(stackFile.secretsprovider);
  return {
    deployers: stringList(source?.values["boson-kit:deployers"]),
    previewers: stringList(source?.values["boson-kit:previewers"]),
    backend: backend ?? "not recorded in the repository (`pulumi login` decides it): name it in the M3 sign-off",
    secretsProvider:
      provider ??
      (stackFile.encryptionsalt
        ? "passphrase (encryptionsalt in the stack file)"
        : "the backend's default (Pulumi Cloud, or a passphrase for self-managed backends): name it in the M3 sign-off"),
  };
}
