import { describe, expect, it } from "vitest";
import { ConfigError, parseKitConfig } from "../../infra/config";
import { evaluateProgram, type StackEvaluation } from "../../infra/offline/evaluate";
import { readStackFile, stackSource } from "../../infra/offline/stack-file";
import { kitProgram } from "../../infra/program";
import { environmentVariables } from "../../lambdas/contract/environment";
import {
  committedStackEvaluations,
  grants,
  keyPolicy,
  named,
  ofType,
  roleNames,
  awsPrincipals,
} from "./stack-evaluation";

const stacks = committedStackEvaluations();
const keyType = "aws:kms/key:Key";
const replicaType = "aws:kms/replicaKey:ReplicaKey";

function productionWith(signer: Record<string, unknown>): Record<string, unknown> {
  const values = structuredClone(readStackFile("production").values) as Record<string, unknown>;
  values["boson-kit:signer"] = { ...(values["boson-kit:signer"] as Record<string, unknown>), ...signer };
  return values;
}

function issuesOf(values: Record<string, unknown>, stack = "production"): string[] {
  try {
    parseKitConfig(stackSource(stack, values));
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.key}: ${issue.problem}`);
    throw error;
  }
  return [];
}

const jobVariables = (evaluation: StackEvaluation, job: string) =>
  (
    named(evaluation, "aws:lambda/function:Function", `${job}-job-function`).inputs.environment as {
      variables: Record<string, string>;
    }
  ).variables;

describe("the assistant key is a multi-Region primary with a replica (production)", () => {
  it("creates every signer key as multi-Region, protected and retained", () => {
    for (const evaluation of [stacks.staging, stacks.production]) {
      const key = named(evaluation, keyType, "assistant-signer-key");
      expect(key.inputs.multiRegion).toBe(true);
      expect(String(key.computed?.keyId)).toMatch(/^mrk-[0-9a-f]{32}$/);
      expect(key.options).toMatchObject({ protect: true, retainOnDelete: true });
    }
  });

  it("replicates the production key into signer.replicaRegion with the same policy, alias name and protection", () => {
    const evaluation = stacks.production;
    const primary = named(evaluation, keyType, "assistant-signer-key");
    const replica = named(evaluation, replicaType, "assistant-signer-replica-key");
    expect(replica.inputs.region).toBe("eu-central-1");
    expect(replica.inputs.region).not.toBe(evaluation.config.aws.region);
    expect(replica.inputs.primaryKeyArn).toBe(primary.computed?.arn);
    // A replica's key policy is its own: the primary's statements, but the replica (in another region, reached over NAT)
    // cannot require this region's KMS endpoint, so the same roles sign it without aws:SourceVpce.
    const signersOf = (key: typeof primary) =>
      keyPolicy(key)
        .filter((statement) => grants(statement, "kms:Sign"))
        .flatMap(awsPrincipals)
        .sort();
    expect(signersOf(replica)).toEqual(signersOf(primary));
    expect(JSON.stringify(keyPolicy(replica))).not.toContain("aws:SourceVpce");
    expect(JSON.stringify(keyPolicy(primary))).toContain("aws:SourceVpce");
    const withoutSign = (key: typeof primary) => keyPolicy(key).filter((statement) => !grants(statement, "kms:Sign"));
    expect(withoutSign(replica)).toEqual(withoutSign(primary));
    expect(replica.inputs.deletionWindowInDays).toBe(30);
    expect(replica.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(replica.computed?.keyId).toBe(primary.computed?.keyId);
    const aliases = ofType(evaluation, "aws:kms/alias:Alias").filter((alias) =>
      String(alias.inputs.name).endsWith("/assistant"),
    );
    expect(aliases.map((alias) => [alias.name, alias.inputs.region ?? evaluation.config.aws.region])).toEqual([
      ["assistant-signer-alias", "eu-west-1"],
      ["assistant-signer-replica-alias", "eu-central-1"],
    ]);
    expect(evaluation.outputs.assistantReplicaKeyArn).toBe(
      `arn:aws:kms:eu-central-1:123456789012:key/${String(primary.computed?.keyId)}`,
    );
    const replicaSigners = keyPolicy(replica).filter(
      (statement) => statement.Effect === "Allow" && grants(statement, "kms:Sign"),
    );
    expect(replicaSigners.flatMap((statement) => roleNames(evaluation, awsPrincipals(statement))).sort()).toEqual([
      "smoke-job-role",
      "withdraw-job-role",
    ]);
  });

  it("hands the signing jobs the replica's ARN and no replica to staging, which has none", () => {
    expect(jobVariables(stacks.production, "withdraw")[environmentVariables.replicaKeyArn]).toBe(
      stacks.production.outputs.assistantReplicaKeyArn,
    );
    expect(jobVariables(stacks.production, "watcher")[environmentVariables.replicaKeyArn]).toBeUndefined();
    expect(jobVariables(stacks.staging, "withdraw")[environmentVariables.replicaKeyArn]).toBeUndefined();
    expect(ofType(stacks.staging, replicaType)).toEqual([]);
  });

  it("declares the signer alarms on the alert topic", () => {
    const alarm = named(
      stacks.production,
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      "alerts-withdraw-signer-address-mismatch",
    );
    expect(alarm.inputs.metricName).toBe("SignerAddressMismatch");
    expect(String(alarm.inputs.alarmDescription)).toMatch(/^\[critical\]/);
    expect(
      named(stacks.production, "aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-withdraw-kms-throttled").inputs
        .metricName,
    ).toBe("KmsThrottled");
  });

  it("refuses production without a replica region, and a replica in the primary's own region", () => {
    const values = productionWith({});
    delete values["boson-kit:signer"];
    expect(issuesOf(values)).toEqual([
      expect.stringMatching(/^boson-kit:signer\.replicaRegion: a production signer needs a multi-Region replica/),
    ]);
    expect(issuesOf(productionWith({ replicaRegion: "eu-west-1" }))).toEqual([
      expect.stringMatching(/is the stack's own region/),
    ]);
    expect(issuesOf(productionWith({ replicaRegion: "mars-1" }))).toEqual([
      expect.stringMatching(/^boson-kit:signer\.replicaRegion: must be an AWS region/),
    ]);
  });
});

describe("key generations and the pinned address", () => {
  it("refuses generations that do not move forward", () => {
    expect(issuesOf(productionWith({ generation: 2, pendingGeneration: 2 }))).toEqual([
      expect.stringMatching(/pendingGeneration: must be above the active generation 2/),
    ]);
    expect(issuesOf(productionWith({ generation: 2, retiredGenerations: [3] }))).toEqual([
      expect.stringMatching(/retiredGenerations: lists generation 3/),
    ]);
    expect(issuesOf(productionWith({ address: "0x123" }))).toEqual([
      expect.stringMatching(/^boson-kit:signer\.address: must be the signer's Ethereum address/),
    ]);
  });

  it("keeps the old key, lets only the rotation role sign with the pending one, and pins the jobs to the active one", async () => {
    const rotation = "arn:aws:iam::123456789012:role/signer-rotation";
    const pinned = "0x00000000000000000000000000000000000000aa";
    const evaluation = await evaluateProgram(
      parseKitConfig(
        stackSource(
          "production",
          productionWith({ generation: 1, pendingGeneration: 2, rotationSigners: [rotation], address: pinned }),
        ),
      ),
      kitProgram,
    );
    const current = named(evaluation, keyType, "assistant-signer-key");
    const pending = named(evaluation, keyType, "assistant-signer-g2-key");
    expect(pending.options).toMatchObject({ protect: true, retainOnDelete: true });
    const signersOf = (key: typeof current) =>
      keyPolicy(key)
        .filter((statement) => statement.Effect === "Allow" && grants(statement, "kms:Sign"))
        .flatMap(awsPrincipals);
    expect(signersOf(pending)).toEqual([rotation]);
    // During the rotation the rotation role also signs with the active key (it moves the old key's gas), never outside one.
    expect(signersOf(current)).toContain(rotation);
    expect(named(evaluation, "aws:kms/alias:Alias", "assistant-signer-g2-alias").inputs.name).toBe(
      "alias/boson-kit/production/assistant-g2",
    );
    const withdraw = jobVariables(evaluation, "withdraw");
    expect(withdraw[environmentVariables.keyId]).toBe(current.computed?.keyId);
    expect(withdraw[environmentVariables.pinnedSignerAddress]).toBe(pinned);
    // The pending key's address reaches the jobs that compare the chain's assistant: the rotation's gap is no takeover.
    const generationsOutput = evaluation.outputs.assistantGenerations as Record<string, { address: string }>;
    const pendingAddress = generationsOutput.g2?.address;
    expect(pendingAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(pendingAddress).not.toBe(generationsOutput.g1?.address);
    expect(withdraw[environmentVariables.rotationSignerAddress]).toBe(pendingAddress);
    expect(jobVariables(evaluation, "watcher")[environmentVariables.rotationSignerAddress]).toBe(pendingAddress);
    expect(jobVariables(evaluation, "health")[environmentVariables.rotationSignerAddress]).toBe(pendingAddress);

    const switched = await evaluateProgram(
      parseKitConfig(
        stackSource(
          "production",
          productionWith({ generation: 2, retiredGenerations: [1], rotationSigners: [rotation] }),
        ),
      ),
      kitProgram,
    );
    expect(named(switched, keyType, "assistant-signer-key").inputs.isEnabled).toBe(false);
    expect(signersOf(named(switched, keyType, "assistant-signer-g2-key"))).not.toContain(rotation);
    expect(named(switched, replicaType, "assistant-signer-replica-key").inputs.enabled).toBe(false);
    expect(jobVariables(switched, "withdraw")[environmentVariables.rotationSignerAddress]).toBeUndefined();
    expect(jobVariables(switched, "withdraw")[environmentVariables.keyId]).toBe(
      named(switched, keyType, "assistant-signer-g2-key").computed?.keyId,
    );
  });
});
