import { beforeAll, describe, expect, it } from "vitest";
import { parseKitConfig } from "../../infra/config";
import { evaluateProgram, evaluateStack, type StackEvaluation } from "../../infra/offline/evaluate";
import { readStackFile, stackSource } from "../../infra/offline/stack-file";
import { kitProgram } from "../../infra/program";
import { regionOfKeyArn } from "../../lambdas/shared/kms-account/failover";
import { environmentVariables } from "../../lambdas/contract/environment";
import {
  actionsOf,
  committedStackEvaluations,
  environmentOf,
  jobFunction,
  jobPrincipalsAllowed,
  named,
  ofType,
  resourcesOf,
  roleNames,
  roleType,
  rolePolicyStatements,
} from "./stack-evaluation";

const aliasType = "aws:kms/alias:Alias";
const fenceName = "alias/boson-kit/production/standby-active";
const replicaKeyArn = "arn:aws:kms:eu-central-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef";
const stacks = committedStackEvaluations();
const fences = (evaluation: StackEvaluation) =>
  ofType(evaluation, aliasType).filter((alias) => String(alias.inputs.name).endsWith("/standby-active"));
const fenceVariable = (evaluation: StackEvaluation, job: string) =>
  environmentOf(jobFunction(evaluation, job))[environmentVariables.standbyFenceAlias];

describe("the standby fence: a KMS alias the standby stack declares in its region only while switched on", () => {
  let off: StackEvaluation;
  let on: StackEvaluation;
  beforeAll(async () => {
    off = await evaluateStack("production-standby");
    const values = structuredClone(readStackFile("production-standby").values) as Record<string, unknown>;
    values["boson-kit:standby"] = { primaryStack: "production", active: true, replicaKeyArn };
    on = await evaluateProgram(parseKitConfig(stackSource("production-standby", values)), kitProgram);
  });

  it("declares no fence while the standby is off, and one alias to the replica key, in the replica's region, when on", () => {
    expect(fences(off)).toEqual([]);
    const [fence, ...others] = fences(on);
    expect(others).toEqual([]);
    expect(fence?.name).toBe("standby-signer-fence");
    expect(fence?.inputs).toMatchObject({ name: fenceName, targetKeyId: replicaKeyArn });
    // An alias is regional and names a key of its own region: the provider's region, the replica's.
    expect(fence?.inputs.region ?? on.config.aws.region).toBe(regionOfKeyArn(replicaKeyArn));
    expect(fence?.inputs.name).toMatch(/^alias\/[a-zA-Z0-9/_-]{1,250}$/);
    expect(String(fence?.inputs.name)).not.toMatch(/^alias\/aws\//);
    // Deleted on switch-off like any resource the program stops declaring: never retained.
    expect(fence?.options).not.toMatchObject({ retainOnDelete: true });
    expect(fence?.options).not.toMatchObject({ protect: true });
  });

  it("refuses a replica key of another region than the standby's: the alias could not name it", () => {
    const values = structuredClone(readStackFile("production-standby").values) as Record<string, unknown>;
    values["boson-kit:standby"] = {
      primaryStack: "production",
      active: true,
      replicaKeyArn: replicaKeyArn.replace("eu-central-1", "eu-west-1"),
    };
    expect(() => parseKitConfig(stackSource("production-standby", values))).toThrow(
      /boson-kit:standby\.replicaKeyArn[\s\S]*is a key in eu-west-1, but this standby stack runs in eu-central-1/,
    );
  });

  it("gives the standby's own jobs no fence to look at: it has no replica of its own", () => {
    for (const job of ["withdraw", "smoke"]) expect(fenceVariable(on, job)).toBeUndefined();
  });
});

describe("the primary stack's side of the fence", () => {
  it("hands the alias name the standby declares to the jobs that sign, only where there is a replica", () => {
    const production = stacks.production;
    expect(fenceVariable(production, "withdraw")).toBe(fenceName);
    expect(fenceVariable(production, "smoke")).toBe(fenceName);
    // The health and watcher jobs sign nothing: they have no fence to look at.
    expect(fenceVariable(production, "health")).toBeUndefined();
    expect(fenceVariable(production, "watcher")).toBeUndefined();
    expect(fenceVariable(stacks.staging, "withdraw")).toBeUndefined();
  });

  it("lets the signing jobs DescribeKey the replica (which is how KMS authorises the alias lookup), by role policy and key policy", () => {
    const production = stacks.production;
    const replica = named(production, "aws:kms/replicaKey:ReplicaKey", "assistant-signer-replica-key");
    const replicaArn = String(replica.computed?.arn);
    for (const job of ["withdraw", "smoke"]) {
      const statements = rolePolicyStatements(production, named(production, roleType, `${job}-job-role`));
      const describing = statements.filter(
        (statement) => statement.Effect === "Allow" && actionsOf(statement).includes("kms:DescribeKey"),
      );
      expect(describing.flatMap(resourcesOf), job).toContain(replicaArn);
      // Read-only: no alias management for the jobs.
      expect(
        statements.flatMap(actionsOf).filter((action) => /Alias/.test(action)),
        job,
      ).toEqual([]);
    }
    expect(roleNames(production, jobPrincipalsAllowed(production, replica, "kms:DescribeKey"))).toEqual(
      expect.arrayContaining(["smoke-job-role", "withdraw-job-role"]),
    );
  });
});
