import { describe, expect, it } from "vitest";
import {
  awsPrincipals,
  committedStackEvaluations,
  committedStacks,
  environmentOf,
  grants,
  jobFunction,
  keyType,
  named,
  jobPrincipalsAllowed,
  ofType,
  resolve,
  roleNames,
  secretPolicyStatements,
} from "./stack-evaluation";

const stacks = committedStackEvaluations();

describe.each(committedStacks)("webhook signing in %s (S5)", (stack) => {
  it("generates at least 32 random bytes with @pulumi/random", () => {
    const generators = ofType(stacks[stack], "random:index/randomBytes:RandomBytes");
    expect(generators).toHaveLength(1);
    expect(Number(generators[0]?.inputs.length)).toBeGreaterThanOrEqual(32);
  });

  it("stores a Standard Webhooks key (whsec_ + base64 of 32+ bytes) as a Pulumi secret", () => {
    const evaluation = stacks[stack];
    const version = named(
      evaluation,
      "aws:secretsmanager/secretVersion:SecretVersion",
      "webhooks-signing-secret-value",
    );
    expect(version.secretInputs).toContain("secretString");
    const value = String(version.inputs.secretString);
    expect(value).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(value.slice("whsec_".length), "base64").length).toBeGreaterThanOrEqual(32);
    expect(value.slice("whsec_".length)).toBe(
      named(evaluation, "random:index/randomBytes:RandomBytes", "webhooks-signing-key").computed?.base64,
    );
  });

  it("encrypts the key with a customer-managed key that only the watcher may decrypt", () => {
    const evaluation = stacks[stack];
    const secret = named(evaluation, "aws:secretsmanager/secret:Secret", "webhooks-signing-secret");
    const key = resolve(evaluation, secret.inputs.kmsKeyId);
    expect(key.type).toBe(keyType);
    expect(roleNames(evaluation, jobPrincipalsAllowed(evaluation, key, "kms:Decrypt"))).toEqual(["watcher-job-role"]);
    const readers = secretPolicyStatements(evaluation, secret).filter((statement) =>
      grants(statement, "secretsmanager:GetSecretValue"),
    );
    expect(roleNames(evaluation, readers.flatMap(awsPrincipals))).toEqual(["watcher-job-role"]);
  });

  it("tells the watcher the secret's ARN and the fulfillment endpoints from config", () => {
    const evaluation = stacks[stack];
    const environment = environmentOf(jobFunction(evaluation, "watcher"));
    expect(environment.WEBHOOK_SECRET_ARN).toBe(
      named(evaluation, "aws:secretsmanager/secret:Secret", "webhooks-signing-secret").computed?.arn,
    );
    expect(environment.WEBHOOK_SECRET_ARN).toBe(evaluation.outputs.webhookSecretArn);
    expect(JSON.parse(String(environment.WEBHOOK_ENDPOINTS))).toEqual(evaluation.config.webhooks.endpoints);
  });
});
