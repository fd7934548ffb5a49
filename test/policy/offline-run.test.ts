import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { keyRoles, administratorsWhoSign } from "../../infra/policy/kms-roles";
import { mockReferences } from "../../infra/policy/offline/references";
import { blockingViolations, runPolicies } from "../../infra/policy/offline/run";
import { kitPolicies } from "../../infra/policy/policies";
import { compliantStack, evaluate, idOf, region, signerKeyPolicy } from "./fixture-stack";

/** The offline adapter behaves like the SDK's analyzer server where the policies can tell. */

const queueNames: ResourceValidationPolicy = {
  name: "queue-names",
  description: "test policy",
  enforcementLevel: "advisory",
  validateResource: validateResourceOfType(aws.sqs.Queue, (queue, args, reportViolation) => {
    reportViolation(`saw ${args.type} ${queue.name ?? args.name} via ${args.isType(aws.sqs.Queue) ? "isType" : "?"}`);
  }),
};

describe("runPolicies", () => {
  it("hands typed policies only the resources of their type, as validateResourceOfType expects", async () => {
    const [outcome] = await runPolicies([queueNames], compliantStack());
    expect(outcome?.checked).toEqual(["withdraw-dlq"]);
    expect(outcome?.violations.map((v) => v.message)).toEqual(["saw aws:sqs/queue:Queue withdraw-dlq via isType"]);
  });

  it("reports a policy with nothing to check as not applicable", async () => {
    const [outcome] = await runPolicies(
      [queueNames],
      compliantStack().filter((r) => r.type !== "aws:sqs/queue:Queue"),
    );
    expect(outcome?.status).toBe("not-applicable");
  });

  it("keeps advisory violations out of the blocking list", async () => {
    const outcomes = await runPolicies([queueNames], compliantStack());
    expect(outcomes[0]?.status).toBe("fail");
    expect(blockingViolations(outcomes)).toEqual([]);
  });

  it("passes policy configuration through getConfig, over the schema's defaults", async () => {
    const stack = compliantStack();
    const policy = kitPolicies.filter((p) => p.name === "lambda-reserved-concurrency");
    const byDefault = await runPolicies(policy, stack);
    const configured = await runPolicies(policy, stack, {
      config: { "lambda-reserved-concurrency": { reservedConcurrency: { withdraw: 2 } } },
    });
    expect(byDefault[0]?.violations).toEqual([]);
    expect(configured[0]?.violations.map((v) => v.message)).toEqual([
      "job withdraw has reservedConcurrentExecutions 1, expected 2",
    ]);
  });

  it("gives stack policies each resource's id and the dependencies between properties", async () => {
    const seen: Record<string, unknown> = {};
    await runPolicies(
      [
        {
          name: "peek",
          description: "test policy",
          validateStack: (args) => {
            const fn = args.resources.find((r) => r.isType(aws.lambda.Function));
            seen.subnetId = args.resources.find((r) => r.name === "private-a" && r.isType(aws.ec2.Subnet))?.props.id;
            seen.vpcDependencies = fn?.propertyDependencies.vpcConfig?.map((r) => r.name);
            seen.parent = fn?.parent?.type;
          },
        },
      ],
      compliantStack(),
      { references: mockReferences(compliantStack(), region) },
    );
    expect(seen).toEqual({
      subnetId: idOf("aws:ec2/subnet:Subnet", "private-a"),
      vpcDependencies: ["private-a"],
      parent: "pulumi:pulumi:Stack",
    });
  });

  it("lets a crashing policy fail the run instead of passing silently", async () => {
    const crashing: ResourceValidationPolicy = {
      name: "crashing",
      description: "test policy",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    await expect(runPolicies([crashing], compliantStack())).rejects.toThrow("boom");
  });

  it("does not let a policy change the recorded inputs", async () => {
    const stack = compliantStack();
    const before = JSON.stringify(stack);
    await evaluate(stack);
    await runPolicies(
      [{ name: "mutating", description: "test", validateResource: (args) => void (args.props.name = "changed") }],
      stack,
    );
    expect(JSON.stringify(stack)).toBe(before);
  });
});

describe("keyRoles", () => {
  it("reads administrators and signers from a key policy, with grants counting as signing", () => {
    const roles = keyRoles(
      signerKeyPolicy([
        {
          Sid: "A",
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::1:role/admin"] },
          Action: ["kms:PutKeyPolicy", "kms:DescribeKey"],
          Resource: "*",
        },
        { Sid: "S", Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:role/job" }, Action: "kms:Sign", Resource: "*" },
        {
          Sid: "G",
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::1:role/ops"] },
          Action: ["kms:CreateGrant"],
          Resource: "*",
        },
        { Sid: "D", Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*" },
      ]),
    );
    expect(roles).toEqual({
      administrators: ["arn:aws:iam::1:role/admin", "arn:aws:iam::1:role/ops"],
      signers: ["arn:aws:iam::1:role/job", "arn:aws:iam::1:role/ops"],
      wildcard: false,
      unbounded: [],
    });
    expect(administratorsWhoSign(roles)).toEqual(["arn:aws:iam::1:role/ops"]);
  });

  it("says why it cannot read a missing policy", () => {
    expect(keyRoles(undefined).error).toMatch(/no explicit key policy/);
  });
});
