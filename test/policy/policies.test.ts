import { describe, expect, it } from "vitest";
import type { PolicyOutcome } from "../../infra/policy/offline/run";
import { kitPolicies } from "../../infra/policy/policies";
import type { Case } from "./cases/case";
import { dataCases } from "./cases/data";
import { gcpAndCspCases } from "./cases/gcp-csp";
import { kmsCases } from "./cases/kms";
import { lambdaCases } from "./cases/lambda";
import { compliantStack, evaluate } from "./fixture-stack";

/**
 * Every policy, with a stack where it passes and stacks that violate it. The
 * last test checks that no policy in the pack is missing from this table.
 */

const cases: Case[] = [...kmsCases, ...lambdaCases, ...dataCases, ...gcpAndCspCases];

const outcomeOf = (outcomes: PolicyOutcome[], policy: string): PolicyOutcome => {
  const outcome = outcomes.find((o) => o.policy === policy);
  if (!outcome) throw new Error(`policy ${policy} did not run`);
  return outcome;
};

describe("the compliant fixture stack", () => {
  it("passes every policy in the pack", async () => {
    const outcomes = await evaluate(compliantStack());
    expect(outcomes.flatMap((o) => o.violations)).toEqual([]);
    expect(outcomes.map((o) => o.status)).not.toContain("not-applicable");
  });
});

describe.each(cases)("$policy", ({ policy, passes, violations }) => {
  it.each(passes)("passes: $name", async ({ stack }) => {
    const outcome = outcomeOf(await evaluate(stack()), policy);
    expect(outcome.violations).toEqual([]);
    expect(outcome.status).toBe("pass");
  });

  it.each(violations)("violated by: $name", async ({ stack, message }) => {
    const outcomes = await evaluate(stack());
    const outcome = outcomeOf(outcomes, policy);
    expect(outcome.status).toBe("fail");
    expect(outcome.violations.map((v) => v.message).join("\n")).toMatch(message);
    expect(outcome.violations.every((v) => v.enforcementLevel === "mandatory")).toBe(true);
  });
});

describe("the pack", () => {
  it("has at least 20 policies, each tested above with a pass and a violation", () => {
    expect(kitPolicies.length).toBeGreaterThanOrEqual(20);
    const tested = new Map(cases.map((c) => [c.policy, c]));
    for (const policy of kitPolicies) {
      const testCase = tested.get(policy.name);
      expect(testCase?.passes.length, `${policy.name} has a passing case`).toBeGreaterThan(0);
      expect(testCase?.violations.length, `${policy.name} has a violating case`).toBeGreaterThan(0);
    }
    expect(new Set(kitPolicies.map((p) => p.name)).size).toBe(kitPolicies.length);
  });

  it("maps every policy to checklist ids and only to real Checkov / Trivy id shapes", () => {
    for (const policy of kitPolicies) {
      const tags = policy.tags ?? [];
      expect(
        tags.some((t) => /^checklist:[SHOMBC][1-6]$/.test(t)),
        policy.name,
      ).toBe(true);
      for (const tag of tags.filter((t) => t.startsWith("checkov:")))
        expect(tag).toMatch(/^checkov:CKV2?_(AWS|GCP)_\d+$/);
      for (const tag of tags.filter((t) => t.startsWith("trivy:"))) expect(tag).toMatch(/^trivy:AVD-(AWS|GCP)-\d{4}$/);
    }
  });

  it("never applies the rotation rule to an asymmetric key, even one without rotation", async () => {
    const outcome = outcomeOf(await evaluate(compliantStack()), "kms-symmetric-key-rotation");
    expect(outcome.checked).toEqual(["signer-key", "data-key"]);
    expect(outcome.violations.filter((v) => v.resource === "signer-key")).toEqual([]);
  });
});
