import { describe, expect, it } from "vitest";
import { policyOnlyAddsResources } from "../../tools/promote/classify";

/** The one policy difference a promotion expects: the signing roles also naming the signer's replica. */
describe("a role policy that only adds the signer's replica", () => {
  const primary = "arn:aws:kms:eu-west-1:123456789012:key/mrk-1";
  const replica = "arn:aws:kms:eu-central-1:123456789012:key/mrk-1";
  const policy = (resources: string[], actions = ["kms:Sign"]) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: resources }] });

  it("is expected when the replica is the only addition", () => {
    expect(policyOnlyAddsResources(policy([primary]), policy([primary, replica]), new Set([replica]))).toBe(true);
  });

  it("is not when another resource, another action, or no replica is involved", () => {
    expect(
      policyOnlyAddsResources(
        policy([primary]),
        policy([primary, "arn:aws:kms:eu-west-1:123456789012:key/other"]),
        new Set([replica]),
      ),
    ).toBe(false);
    expect(
      policyOnlyAddsResources(
        policy([primary]),
        policy([primary, replica], ["kms:Sign", "kms:PutKeyPolicy"]),
        new Set([replica]),
      ),
    ).toBe(false);
    expect(policyOnlyAddsResources(policy([primary]), policy([primary, replica]), new Set())).toBe(false);
    expect(policyOnlyAddsResources(policy([primary]), "not json", new Set([replica]))).toBe(false);
  });
});
