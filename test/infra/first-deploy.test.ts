/**
 * What AWS and GCP would refuse on a fresh account and project that Pulumi's
 * mocks accept: each a property of the resource graph or a run under mocks
 * that answer as the clouds do.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { callerProblem, assertCallerMayDeploy, iamIdentity } from "../../infra/caller-check";
import { assertConcurrencyFits, concurrencyProblem } from "../../infra/concurrency-check";
import { parseKitConfig, type KitConfig } from "../../infra/config";
import { logPipelineNames } from "../../infra/definitions/gcp-names";
import { kitMocks } from "../../infra/offline/mocks";
import { readStackFile } from "../../infra/offline/stack-file";
import { kitProgram } from "../../infra/program";
import {
  actionsOf,
  awsPrincipals,
  committedStackEvaluations,
  committedStacks,
  grants,
  keyPolicy,
  named,
  ofType,
} from "./stack-evaluation";

const keyType = "aws:kms/key:Key";
const production = (): KitConfig => parseKitConfig(readStackFile("production"));

/** Runs `body` under the kit's mocks with the given cloud answers, recording what gets declared. */
async function underMocks(
  options: Parameters<typeof kitMocks>[2],
  preview: boolean,
  body: () => Promise<unknown>,
): Promise<{ declared: string[]; error: unknown }> {
  const declared: string[] = [];
  const mocks = kitMocks("eu-west-1", new Map(), options);
  await pulumi.runtime.setMocks(
    { ...mocks, newResource: (args) => (declared.push(`${args.type}::${args.name}`), mocks.newResource(args)) },
    "boson-kit",
    "production",
    preview,
  );
  let error: unknown;
  try {
    await body();
  } catch (caught) {
    error = caught;
  }
  return { declared, error };
}

describe("1. KMS lockout: deployers, administrators and previewers", () => {
  const stacks = committedStackEvaluations();

  it.each(committedStacks)(
    "%s: every key policy lets every deployer call PutKeyPolicy (KMS refuses CreateKey otherwise)",
    (stack) => {
      const evaluation = stacks[stack];
      for (const key of ofType(evaluation, keyType)) {
        const holders = keyPolicy(key)
          .filter((s) => s.Effect === "Allow" && grants(s, "kms:PutKeyPolicy"))
          .flatMap(awsPrincipals);
        for (const deployer of evaluation.config.aws.deployers) expect(holders, key.name).toContain(deployer);
      }
    },
  );

  it.each(committedStacks)(
    "%s: no key policy lets an administrator sign, encrypt, decrypt or make data keys",
    (stack) => {
      const evaluation = stacks[stack];
      const administrators = evaluation.config.aws.kmsAdministrators.filter(
        (arn) => !evaluation.config.aws.deployers.includes(arn),
      );
      for (const key of ofType(evaluation, keyType)) {
        for (const statement of keyPolicy(key).filter(
          (s) => s.Effect === "Allow" && awsPrincipals(s).some((arn) => administrators.includes(arn)),
        )) {
          for (const action of ["kms:Sign", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:CreateGrant"]) {
            expect(grants(statement, action), `${key.name} ${statement.Sid} grants ${action}`).toBe(false);
          }
        }
      }
    },
  );

  it.each(committedStacks)(
    "%s: previewers only read the signer's public key; deployers can never sign with or delete it",
    (stack) => {
      const evaluation = stacks[stack];
      const { previewers, deployers } = evaluation.config.aws;
      const signer = named(evaluation, keyType, "assistant-signer-key");
      const previewerActions = keyPolicy(signer)
        .filter((s) => s.Effect === "Allow" && awsPrincipals(s).some((arn) => previewers.includes(arn)))
        .flatMap(actionsOf);
      expect([...new Set(previewerActions)].sort()).toEqual(["kms:DescribeKey", "kms:GetPublicKey"]);
      for (const key of ofType(evaluation, keyType).filter((k) => k !== signer)) {
        expect(
          keyPolicy(key)
            .flatMap(awsPrincipals)
            .some((arn) => previewers.includes(arn)),
          key.name,
        ).toBe(false);
      }
      const denied = keyPolicy(signer)
        .filter((s) => s.Effect === "Deny" && awsPrincipals(s).some((arn) => deployers.includes(arn)))
        .flatMap(actionsOf);
      expect(denied).toEqual(expect.arrayContaining(["kms:Sign", "kms:CreateGrant", "kms:ScheduleKeyDeletion"]));
    },
  );

  it("reads a session's role as IAM names it, whatever the role's path", () => {
    expect(iamIdentity("arn:aws:sts::123456789012:assumed-role/boson-kit-deployer/ci-42")).toEqual({
      account: "123456789012",
      kind: "role",
      name: "boson-kit-deployer",
    });
    expect(
      iamIdentity("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Deploy_ab12"),
    ).toEqual({
      account: "123456789012",
      kind: "role",
      name: "AWSReservedSSO_Deploy_ab12",
    });
    expect(iamIdentity("arn:aws:iam::123456789012:root")?.kind).toBe("root");
  });

  it("lets a deployer's session deploy, a previewer preview only, and refuses anyone else with the fix", () => {
    const config = {
      ...production(),
      aws: { ...production().aws, deployers: ["arn:aws:iam::123456789012:role/ci/boson-kit-deployer"] },
    };
    expect(
      callerProblem("arn:aws:sts::123456789012:assumed-role/boson-kit-deployer/ci-42", config, "update"),
    ).toBeUndefined();
    expect(
      callerProblem("arn:aws:sts::123456789012:assumed-role/boson-kit-previewer/pr-7", config, "preview"),
    ).toBeUndefined();
    expect(callerProblem("arn:aws:sts::123456789012:assumed-role/boson-kit-previewer/pr-7", config, "update")).toMatch(
      /may only run `pulumi preview`/,
    );
    expect(callerProblem("arn:aws:sts::210987654321:assumed-role/boson-kit-deployer/ci-42", config, "update")).toMatch(
      /is not in boson-kit:deployers/,
    );
    expect(callerProblem("arn:aws:iam::123456789012:user/boson-kit-deployer", config, "update")).toMatch(
      /user boson-kit-deployer/,
    );
    const refusal = callerProblem("arn:aws:iam::123456789012:root", config, "update") ?? "";
    expect(refusal.split("\n")).toHaveLength(1);
    expect(refusal).toMatch(
      /fix: run as one of arn:aws:iam::123456789012:role\/ci\/boson-kit-deployer, or add it: pulumi config set --path 'boson-kit:deployers\[1\]'/,
    );
  });

  it("asks AWS who calls (getCallerIdentity) and refuses before anything is declared", async () => {
    const config = production();
    const stranger = await underMocks(
      { callerArn: "arn:aws:sts::123456789012:assumed-role/someone-else/s" },
      false,
      async () => {
        await assertCallerMayDeploy(config);
        kitProgram(config);
      },
    );
    expect(String(stranger.error)).toMatch(
      /refusing to deploy production: .*someone-else.* is not in boson-kit:deployers/,
    );
    expect(stranger.declared).toEqual([]);

    const previewer = await underMocks(
      { callerArn: "arn:aws:sts::123456789012:assumed-role/boson-kit-previewer/pr" },
      true,
      () => assertCallerMayDeploy(config),
    );
    expect(previewer.error).toBeUndefined();
    const previewerUp = await underMocks(
      { callerArn: "arn:aws:sts::123456789012:assumed-role/boson-kit-previewer/pr" },
      false,
      () => assertCallerMayDeploy(config),
    );
    expect(String(previewerUp.error)).toMatch(/may only run `pulumi preview`/);
  });
});

describe("2. Reserved concurrency on an account below 101", () => {
  it("is refused before anything is declared, with the quota-increase command", async () => {
    const config = production();
    const fresh = await underMocks({ lambdaConcurrencyQuota: 10 }, false, async () => {
      await assertConcurrencyFits(config);
      kitProgram(config);
    });
    expect(String(fresh.error)).toMatch(
      /quota in eu-west-1 is 10.*needs at least 101.*request-service-quota-increase --service-code lambda --quota-code L-B99A9384/,
    );
    expect(fresh.declared).toEqual([]);
    expect(concurrencyProblem(101, config)).toBeUndefined();
    expect(concurrencyProblem(100, config)).toMatch(/at least 101/);
  });
});

describe("3. GCP prerequisites", () => {
  it("enables Cloud Resource Manager and the pipeline's APIs, and looks the project up only after they are enabled", async () => {
    const config = production();
    let declaredAtLookup: string[] | undefined;
    const declared: string[] = [];
    const mocks = kitMocks("eu-west-1");
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => (
          declared.push(`${args.type}::${args.inputs.service ?? args.name}`),
          mocks.newResource(args)
        ),
        call: (args) => {
          if (args.token === "gcp:organizations/getProject:getProject") declaredAtLookup ??= [...declared];
          return mocks.call(args);
        },
      },
      "boson-kit",
      "production",
      false,
    );
    await pulumi.runtime.runInPulumiStack(async () => kitProgram(config));
    for (const api of ["cloudresourcemanager", "logging", "iam", "iamcredentials", "sts", "bigquery"]) {
      expect(declaredAtLookup, api).toContain(`gcp:projects/service:Service::${api}.googleapis.com`);
    }
  });
});

describe("5-9. Properties of the committed stacks", () => {
  const stacks = committedStackEvaluations();

  it.each(committedStacks)(
    "5 (%s): the tables' key gives the deployers what AWS documents for creating and restoring CMK tables, through DynamoDB only",
    (stack) => {
      const evaluation = stacks[stack];
      const table = named(evaluation, "aws:dynamodb/table:Table", "state-events");
      const key = ofType(evaluation, keyType).find(
        (k) => k.computed?.arn === (table.inputs.serverSideEncryption as { kmsKeyArn: string }).kmsKeyArn,
      );
      const statement = keyPolicy(key as never).find(
        (s) =>
          s.Effect === "Allow" &&
          evaluation.config.aws.deployers.every((d) => awsPrincipals(s).includes(d)) &&
          grants(s, "kms:CreateGrant"),
      );
      expect(statement?.Condition?.StringEquals?.["kms:ViaService"]).toBe(
        `dynamodb.${evaluation.config.aws.region}.amazonaws.com`,
      );
      for (const action of [
        "kms:CreateGrant",
        "kms:DescribeKey",
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom",
      ]) {
        expect(grants(statement as never, action), action).toBe(true);
      }
      expect((table.inputs.pointInTimeRecovery as { enabled: boolean }).enabled).toBe(true);
    },
  );

  it.each(committedStacks)(
    "6 (%s): the impersonation binding waits for the pool, the shipper's credential config for the provider",
    (stack) => {
      const evaluation = stacks[stack];
      const pool = ofType(evaluation, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")[0];
      const provider = ofType(evaluation, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")[0];
      const binding = ofType(evaluation, "gcp:serviceaccount/iAMMember:IAMMember").find(
        (m) => m.inputs.role === "roles/iam.workloadIdentityUser",
      );
      expect(binding?.dependencies).toContain(pool?.urn);
      const shipper = named(evaluation, "aws:lambda/function:Function", "log-pipeline-shipper-function");
      expect(shipper.dependencies).toContain(provider?.urn);
    },
  );

  it.each(committedStacks)(
    "7 (%s): the log bucket, dataset and pool ids carry the region and the generation",
    (stack) => {
      const evaluation = stacks[stack];
      const { gcp } = evaluation.config;
      const names = logPipelineNames(stack, gcp);
      expect(ofType(evaluation, "gcp:logging/projectBucketConfig:ProjectBucketConfig")[0]?.inputs.bucketId).toBe(
        names.bucketId,
      );
      expect(names.bucketId).toMatch(new RegExp(`-${gcp.region}-g1$`));
      const moved = logPipelineNames(stack, { region: "europe-west4", generation: 1 });
      const recreated = logPipelineNames(stack, { ...gcp, generation: 2 });
      expect([moved.bucketId, moved.datasetId]).not.toContain(names.bucketId);
      expect(moved.datasetId).not.toBe(names.datasetId);
      expect([recreated.bucketId, recreated.datasetId, recreated.poolId]).toEqual([
        expect.not.stringMatching(names.bucketId),
        expect.not.stringMatching(names.datasetId),
        expect.not.stringMatching(names.poolId),
      ]);
      expect(logPipelineNames("production-a-very-long-stack-name-indeed", { ...gcp, generation: 12 }).poolId).toMatch(
        /^.{4,32}$/,
      );
      expect(logPipelineNames("production-a-very-long-stack-name-indeed", { ...gcp, generation: 12 }).poolId).toMatch(
        /-g12$/,
      );
    },
  );

  it.each(committedStacks)(
    "8 (%s): the signer key, its alias and the Elastic IPs are protected and retained on delete",
    (stack) => {
      const evaluation = stacks[stack];
      const kept = [
        named(evaluation, keyType, "assistant-signer-key"),
        named(evaluation, "aws:kms/alias:Alias", "assistant-signer-alias"),
        ...ofType(evaluation, "aws:ec2/eip:Eip"),
      ];
      for (const resource of kept)
        expect(resource.options, resource.name).toMatchObject({ protect: true, retainOnDelete: true });
      expect(ofType(evaluation, "aws:ec2/eip:Eip")).toHaveLength(evaluation.config.aws.availabilityZones);
    },
  );

  it.each(committedStacks)(
    "9 (%s): subnets sit in the configured zone ids, numbered by zone, not by list position",
    (stack) => {
      const evaluation = stacks[stack];
      const subnets = ofType(evaluation, "aws:ec2/subnet:Subnet");
      expect([...new Set(subnets.map((s) => s.inputs.availabilityZoneId))].sort()).toEqual(
        [...(evaluation.config.aws.availabilityZoneIds ?? [])].sort(),
      );
      for (const subnet of subnets) {
        expect(subnet.inputs.availabilityZone).toBeUndefined();
        const zone = Number(/az([0-9]+)$/.exec(String(subnet.inputs.availabilityZoneId))?.[1]);
        const third = Number(String(subnet.inputs.cidrBlock).split(".")[2]);
        expect(subnet.name.endsWith("-public") ? third : (third - 128) / 16 + 1, subnet.name).toBe(zone);
      }
    },
  );
});
