import { describe, expect, it } from "vitest";
import { secretConfigKeys, secretPlaceholder } from "../../infra/config";
import type { StackEvaluation } from "../../infra/offline/evaluate";
import {
  allPolicies,
  awsPrincipals,
  committedStacks,
  environmentOf,
  committedStackEvaluations,
  functionType,
  ofType,
} from "./stack-evaluation";

const stacks = committedStackEvaluations();

const placeholders = secretConfigKeys.map(secretPlaceholder);

/** The values of every Pulumi secret the program declared (SecretVersion strings, generated keys). */
function secretValues(evaluation: StackEvaluation): string[] {
  return evaluation.resources.flatMap((resource) =>
    resource.secretInputs
      .map((path) =>
        path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], resource.inputs),
      )
      .map(String),
  );
}

describe.each(committedStacks)("security properties of %s", (stack) => {
  it("names a principal in every resource and trust policy: no wildcard, no account root", () => {
    const policies = allPolicies(stacks[stack]);
    expect(policies.length).toBeGreaterThan(10);
    for (const { resource, statements } of policies) {
      for (const statement of statements) {
        if (statement.Principal === undefined) continue; // identity policies have none
        expect(statement.Principal, `${resource.name} ${statement.Sid}`).not.toBe("*");
        for (const principal of awsPrincipals(statement)) {
          expect(principal, `${resource.name} ${statement.Sid}`).not.toContain("*");
          expect(principal, `${resource.name} ${statement.Sid}`).not.toMatch(/:root$|^\d{12}$/);
        }
      }
    }
  });

  it("holds the RPC URLs and the webhook key only as Pulumi secrets", () => {
    const evaluation = stacks[stack];
    const secrets = secretValues(evaluation);
    expect(secrets.some((value) => value.includes(placeholders[0] ?? "?"))).toBe(true);
    expect(secrets.some((value) => value.startsWith("whsec_"))).toBe(true);
    const webhookKey = secrets.find((value) => value.startsWith("whsec_"))?.slice("whsec_".length);
    for (const resource of evaluation.resources) {
      if (resource.secretInputs.length > 0) continue;
      const text = JSON.stringify(resource.inputs);
      for (const placeholder of placeholders) expect(text, resource.name).not.toContain(placeholder);
      expect(text, resource.name).not.toContain(webhookKey);
    }
  });

  it.each(["withdraw", "health", "watcher", "smoke"])("puts no secret in the %s job's environment", (job) => {
    const evaluation = stacks[stack];
    const fn = ofType(evaluation, functionType).find((candidate) => candidate.name === `${job}-job-function`);
    expect(fn).toBeDefined();
    if (!fn) return;
    expect(fn.secretInputs.filter((path) => path.startsWith("environment"))).toEqual([]);
    const values = Object.values(environmentOf(fn));
    for (const secret of secretValues(evaluation)) {
      for (const value of values) expect(value.includes(secret) || secret.includes(value)).toBe(false);
    }
    for (const value of values) {
      for (const placeholder of placeholders) expect(value).not.toContain(placeholder);
    }
  });

  it("exports no secret value as a stack output", () => {
    const evaluation = stacks[stack];
    const outputs = JSON.stringify(evaluation.outputs);
    for (const secret of secretValues(evaluation)) expect(outputs).not.toContain(secret);
  });

  it("encrypts every queue, topic, log group, secret and table with a customer-managed key", () => {
    const evaluation = stacks[stack];
    const keyArns = new Set(ofType(evaluation, "aws:kms/key:Key").map((key) => key.computed?.arn));
    const encryptedBy: Record<string, (inputs: Record<string, unknown>) => unknown> = {
      "aws:sqs/queue:Queue": (inputs) => inputs.kmsMasterKeyId,
      "aws:sns/topic:Topic": (inputs) => inputs.kmsMasterKeyId,
      "aws:cloudwatch/logGroup:LogGroup": (inputs) => inputs.kmsKeyId,
      "aws:secretsmanager/secret:Secret": (inputs) => inputs.kmsKeyId,
      "aws:dynamodb/table:Table": (inputs) =>
        (inputs.serverSideEncryption as { kmsKeyArn?: string } | undefined)?.kmsKeyArn,
    };
    for (const [type, keyOf] of Object.entries(encryptedBy)) {
      const resources = ofType(evaluation, type);
      expect(resources.length, type).toBeGreaterThan(0);
      for (const resource of resources) expect(keyArns.has(keyOf(resource.inputs) as string), resource.name).toBe(true);
    }
  });
});
