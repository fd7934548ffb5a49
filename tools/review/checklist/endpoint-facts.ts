import type { RecordedResource } from "../../../infra/offline/evaluate";
import type { Evidence } from "../report";
import { types } from "../stack-facts";
import { fact, type ReviewContext } from "./context";

/**
 * Whether stolen job credentials could sign or read a secret from outside the
 * kit's VPC: every statement that allows kms:Sign (signer key policy) or
 * secretsmanager:GetSecretValue (secret policies, job role policies) must
 * require `aws:SourceVpce` to be the stack's own endpoint for that service.
 */

interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

const statementsOf = (policy: unknown): Statement[] => {
  const document = (typeof policy === "string" ? JSON.parse(policy) : policy) as { Statement?: Statement[] } | undefined;
  return document?.Statement ?? [];
};

const allows = (statement: Statement, action: string) =>
  statement.Effect === "Allow" && [statement.Action ?? []].flat().some((a) => a === action || a === "*" || a === `${action.split(":")[0]}:*`);

const sourceVpce = (statement: Statement): unknown => statement.Condition?.StringEquals?.["aws:SourceVpce"];

function endpointId(context: ReviewContext, service: string): string | undefined {
  const endpoint = context.facts.ofType(types.vpcEndpoint).find((e) => e.inputs.serviceName === `com.amazonaws.${context.config.aws.region}.${service}`);
  const id = endpoint?.computed?.id;
  return typeof id === "string" ? id : undefined;
}

function statementFacts(owner: RecordedResource, policy: unknown, action: string, endpoint: string | undefined, what: string): Evidence[] {
  return statementsOf(policy)
    .filter((statement) => allows(statement, action))
    .map((statement) => {
      const ok = endpoint !== undefined && sourceVpce(statement) === endpoint;
      return fact("resource", owner.name, `${statement.Sid ?? "a statement"} allows ${action} ${ok ? `only through the ${what} endpoint` : "without requiring the kit's VPC endpoint (aws:SourceVpce)"}`, ok);
    });
}

/** kms:Sign on the signer keys only through the kit's KMS endpoint. */
export function signThroughEndpointEvidence(context: ReviewContext): Evidence[] {
  const endpoint = endpointId(context, "kms");
  const evidence = context.facts.keys.filter((k) => k.secp256k1).flatMap((k) => statementFacts(k.key, k.key.inputs.policy, "kms:Sign", endpoint, "KMS"));
  const roles = context.facts.ofType(types.rolePolicy).flatMap((p) => statementFacts(p, p.inputs.policy, "kms:Sign", endpoint, "KMS"));
  return [fact("resource", "kms endpoint", endpoint ? `interface endpoint ${endpoint} in the private subnets` : "no KMS interface endpoint in the VPC", endpoint !== undefined), ...evidence, ...roles];
}

/** secretsmanager:GetSecretValue only through the kit's Secrets Manager endpoint. */
export function readSecretsThroughEndpointEvidence(context: ReviewContext): Evidence[] {
  const endpoint = endpointId(context, "secretsmanager");
  const policies = [...context.facts.ofType(types.secretPolicy), ...context.facts.ofType(types.rolePolicy)];
  return [
    fact("resource", "secretsmanager endpoint", endpoint ? `interface endpoint ${endpoint} in the private subnets` : "no Secrets Manager interface endpoint in the VPC", endpoint !== undefined),
    ...policies.flatMap((p) => statementFacts(p, p.inputs.policy, "secretsmanager:GetSecretValue", endpoint, "Secrets Manager")),
  ];
}

/** The change watch: a rule per concern, and who records the management events it reads. */
export function changeWatchEvidence(context: ReviewContext): Evidence[] {
  const rules = context.facts.ofType(types.eventRule).filter((rule) => /^change-watch-(signer-key|secret-policies|signing-jobs|signing-roles)$/.test(rule.name));
  const trail = context.config.changeWatch.trail;
  const trails = context.facts.ofType(types.trail).length;
  return [
    fact("resource", "change-watch", `${rules.length} of 4 EventBridge rules page on signer key, secret policy, signing job and signing role changes`, rules.length === 4),
    fact(
      "config",
      "boson-kit:changeWatch.trail",
      trail === "kit" ? `the kit's multi-region trail records the management events (${trails} trail)` : "an organisation trail records the management events (the alert-canary sign-off proves it reaches EventBridge)",
      trail === "organization" || trails === 1,
    ),
  ];
}
