import type { RecordedResource } from "../../../infra/offline/evaluate";
import {
  allowsAny,
  conditionValues,
  principalIds,
  statementsOf,
  type Statement,
} from "../../../infra/policy/iam-document";
import type { Evidence } from "../report";
import { types } from "../stack-facts";
import { fact, type ReviewContext } from "./context";

/**
 * Whether stolen job credentials could sign or read a secret from outside the
 * kit's VPC: every statement that allows kms:Sign (signer key policy) or
 * secretsmanager:GetSecretValue (secret policies, job role policies) must
 * require `aws:SourceVpce` to be the stack's own endpoint for that service.
 */

/** True when the statement can only be used through `endpoint` (StringEquals aws:SourceVpce names it alone). */
function throughEndpoint(statement: Statement, endpoint: string | undefined): boolean {
  const endpoints = conditionValues(statement, "StringEquals", "aws:SourceVpce");
  return endpoint !== undefined && endpoints.length > 0 && endpoints.every((id) => id === endpoint);
}

function endpointId(context: ReviewContext, service: string): string | undefined {
  const endpoint = context.facts
    .ofType(types.vpcEndpoint)
    .find((e) => e.inputs.serviceName === `com.amazonaws.${context.config.aws.region}.${service}`);
  const id = endpoint?.computed?.id;
  return typeof id === "string" ? id : undefined;
}

/** Why a statement may go without the endpoint (it is about the other region's replica, or about another stack's roles), if it may. */
type Exemption = (statement: Statement) => string | undefined;

function statementFacts(
  owner: RecordedResource,
  policy: unknown,
  action: string,
  endpoint: string | undefined,
  what: string,
  exempt: Exemption = () => undefined,
): Evidence[] {
  return statementsOf(policy)
    .filter((statement) => allowsAny(statement, [action]))
    .map((statement) => {
      const fromEgress = conditionValues(statement, "IpAddress", "aws:SourceIp");
      const viaEndpoint = throughEndpoint(statement, endpoint);
      const ok = viaEndpoint || (exempt(statement) === replicaReason && fromEgress.length > 0);
      const why = ok ? undefined : exempt(statement);
      const through = viaEndpoint
        ? `only through the ${what} endpoint`
        : `only from the NAT egress IPs ${JSON.stringify(fromEgress)} (${replicaReason})`;
      const detail = `${statement.sid ?? "a statement"} allows ${action} ${ok ? through : `without requiring the kit's VPC endpoint (aws:SourceVpce)${why ? `: ${why}` : ""}`}`;
      return fact("resource", owner.name, detail, ok, why !== undefined && why !== replicaReason);
    });
}

const replicaReason = "the replica in another region is reached over NAT";

/** kms:Sign on the signer keys only through the kit's KMS endpoint. */
export function signThroughEndpointEvidence(context: ReviewContext): Evidence[] {
  const endpoint = endpointId(context, "kms");
  const jobRoles = new Set(context.facts.jobs.map((job) => String(job.role?.computed?.arn)));
  const replicas = new Set(
    context.facts.ofType("aws:kms/replicaKey:ReplicaKey").map((replica) => String(replica.computed?.arn)),
  );
  // Another stack's roles (a standby's, the rotation's) sign from their own network: this VPC's endpoint is not theirs.
  const otherSigners: Exemption = (statement) =>
    principalIds(statement, "AWS").every((arn) => !jobRoles.has(arn))
      ? "the principals are not this stack's jobs (advisory)"
      : undefined;
  // The replica lives in another region, reached over NAT: this region's endpoint cannot carry the call.
  const replicaOnly: Exemption = (statement) =>
    statement.resources.length > 0 && statement.resources.every((arn) => replicas.has(arn)) ? replicaReason : undefined;
  const evidence = context.facts.keys
    .filter((k) => k.secp256k1)
    .flatMap((k) => statementFacts(k.key, k.key.inputs.policy, "kms:Sign", endpoint, "KMS", otherSigners));
  const roles = context.facts
    .ofType(types.rolePolicy)
    .flatMap((p) => statementFacts(p, p.inputs.policy, "kms:Sign", endpoint, "KMS", replicaOnly));
  return [
    fact(
      "resource",
      "kms endpoint",
      endpoint ? `interface endpoint ${endpoint} in the private subnets` : "no KMS interface endpoint in the VPC",
      endpoint !== undefined,
    ),
    ...evidence,
    ...roles,
  ];
}

/** secretsmanager:GetSecretValue only through the kit's Secrets Manager endpoint. */
export function readSecretsThroughEndpointEvidence(context: ReviewContext): Evidence[] {
  const endpoint = endpointId(context, "secretsmanager");
  const policies = [...context.facts.ofType(types.secretPolicy), ...context.facts.ofType(types.rolePolicy)];
  return [
    fact(
      "resource",
      "secretsmanager endpoint",
      endpoint
        ? `interface endpoint ${endpoint} in the private subnets`
        : "no Secrets Manager interface endpoint in the VPC",
      endpoint !== undefined,
    ),
    ...policies.flatMap((p) =>
      statementFacts(p, p.inputs.policy, "secretsmanager:GetSecretValue", endpoint, "Secrets Manager"),
    ),
  ];
}

/** The change watch: a rule per concern, and who records the management events it reads. */
export function changeWatchEvidence(context: ReviewContext): Evidence[] {
  const rules = context.facts
    .ofType(types.eventRule)
    .filter((rule) => /^change-watch-(signer-key|secret-policies|signing-jobs|signing-roles)$/.test(rule.name));
  const trail = context.config.changeWatch.trail;
  const trails = context.facts.ofType(types.trail).length;
  return [
    fact(
      "resource",
      "change-watch",
      `${rules.length} of 4 EventBridge rules page on signer key, secret policy, signing job and signing role changes`,
      rules.length === 4,
    ),
    fact(
      "config",
      "boson-kit:changeWatch.trail",
      trail === "kit"
        ? `the kit's multi-region trail records the management events (${trails} trail)`
        : "an organisation trail records the management events (the alert-canary sign-off proves it reaches EventBridge)",
      trail === "organization" || trails === 1,
    ),
  ];
}
