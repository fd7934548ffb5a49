import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { recoverAddress } from "viem";
import type { KmsAccount } from "../../lambdas/shared/kms-account/account";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { createJobMetrics, type JobMetrics } from "../../lambdas/shared/runtime/metrics";
import { runJob, type Job, type JobReporting } from "../../lambdas/shared/runtime/run-job";
import type { JobOutcome } from "../../lambdas/shared/runtime/outcome";
import { signerAccount } from "../../lambdas/shared/runtime/signer-account";
import { standbyFence } from "../../lambdas/shared/runtime/standby-fence";
import { metricNames } from "../../lambdas/contract/metrics-catalog";
import { standbyFenceAliasArn, standbyFenceAliasName } from "../../lambdas/contract/standby-fence";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import { startMultiRegionKms, type MultiRegionKms } from "../harness/kms-multi-region";
import { randomDigest } from "../harness/kms-test-accounts";

const aliasName = standbyFenceAliasName("boson-kit", "production");

type Deps = JobReporting & { account: KmsAccount; signed: `0x${string}`[] };

/** Stands in for a signing job's logic: one signature per run, like a withdrawal's transaction. */
const signingJob: Job<Deps, JobOutcome> = {
  name: "withdraw",
  run: async ({ account, signed }) => {
    const hash = randomDigest();
    const signature = await account.sign({ hash });
    expect(await recoverAddress({ hash, signature })).toBe(account.address);
    signed.push(signature);
    return { status: "succeeded" };
  },
  failed: (outcome) => outcome,
};

describe("the primary stack's signing jobs look at the standby fence before each run", () => {
  let kms: MultiRegionKms;
  let output: CapturedOutput;
  let deps: Deps;
  let metrics: JobMetrics;
  beforeEach(async () => {
    kms = await startMultiRegionKms();
    output = captureStdout();
    const logger = createJobLogger("withdraw", { configId: "production-137-0", stack: "production" });
    metrics = createJobMetrics("withdraw", "production");
    const account = await signerAccount({
      keyId: kms.primaryArn,
      replicaKeyArn: kms.replicaArn,
      logger,
      metrics,
      clients: { primary: kms.primary.client(), replica: kms.replica.client() },
    });
    const fence = standbyFence({
      replicaKeyArn: kms.replicaArn,
      aliasName,
      logger,
      metrics,
      client: kms.replica.client(),
      retryPolicy: { maxAttempts: 2, maxElapsedMs: 1_000, baseDelayMs: 10, maxDelayMs: 20 },
    });
    deps = { logger, metrics, account, signed: [], standbyFence: fence };
    kms.primary.resetCounters();
    kms.replica.resetCounters();
    output.clear();
  });
  afterEach(async () => {
    output.restore();
    await kms.close();
  });

  const fenceCall = () => output.toolCalls().find((call) => call.operation === "standbyFence.describeKey");

  it("signs nothing while the standby's alias resolves in the replica's region: transient standby-active, a metric", async () => {
    kms.replica.createAlias(aliasName, kms.replicaArn);
    const outcome = await runJob(signingJob, deps);
    expect(outcome).toMatchObject({ status: "transient", reason: "standby-active" });
    expect(deps.signed).toEqual([]);
    expect(kms.primary.calls().Sign + kms.replica.calls().Sign).toBe(0);
    expect(kms.replica.calls().DescribeKey).toBe(1);
    expect(output.metricValues(metricNames.standbyActive)).toEqual([1]);
    expect(output.metricValues(metricNames.jobTransient)).toEqual([1]);
    expect(fenceCall()).toMatchObject({
      tool: "kms",
      outcome: "ok",
      details: { state: "standby-active", aliasArn: standbyFenceAliasArn(kms.replicaArn, aliasName) },
    });
  });

  it("signs when there is no such alias (the standby is off), and again once a switched-off standby deleted it", async () => {
    expect(await runJob(signingJob, deps)).toEqual({ status: "succeeded" });
    expect(kms.primary.calls().Sign).toBe(1);
    expect(fenceCall()).toMatchObject({ outcome: "ok", details: { state: "clear" } });

    kms.replica.createAlias(aliasName, kms.replicaArn);
    expect((await runJob(signingJob, deps)).status).toBe("transient");
    kms.replica.deleteAlias(aliasName);
    expect(await runJob(signingJob, deps)).toEqual({ status: "succeeded" });
    expect(deps.signed).toHaveLength(2);
    expect(output.metricValues(metricNames.standbyActive)).toEqual([1]);
  });

  it("signs when the replica's region does not answer (a standby there cannot send), on the record as a tool call", async () => {
    await kms.replica.stop();
    expect(await runJob(signingJob, deps)).toEqual({ status: "succeeded" });
    expect(kms.primary.calls().Sign).toBe(1);
    expect(fenceCall()).toMatchObject({
      tool: "kms",
      outcome: "transient",
      details: { state: "unreachable", reason: "Unavailable" },
    });
    expect(output.metricValues(metricNames.standbyActive)).toEqual([]);
  });

  it("fails the run, signing nothing, when the replica's region throttles the fence read past its retries: that region is up", async () => {
    kms.replica.injectFault({ error: "ThrottlingException", operation: "DescribeKey" });
    const outcome = await runJob(signingJob, deps);
    expect(outcome).toMatchObject({ status: "failed", reason: "error" });
    expect(kms.primary.calls().Sign).toBe(0);
    expect(fenceCall()).toMatchObject({ outcome: "failed" });
  });

  it("fails the run, signing nothing, when the fence cannot be read for another reason (access denied)", async () => {
    kms.replica.injectFault({ error: "AccessDeniedException", operation: "DescribeKey" });
    const outcome = await runJob(signingJob, deps);
    expect(outcome).toMatchObject({ status: "failed", reason: "error" });
    expect(JSON.stringify(outcome.error)).toMatch(/Access denied to kms:DescribeKey/);
    expect(kms.primary.calls().Sign).toBe(0);
    expect(fenceCall()).toMatchObject({ outcome: "failed" });
  });
});

describe("the KMS endpoint's aliases, as KMS documents them", () => {
  let kms: MultiRegionKms;
  beforeEach(async () => {
    kms = await startMultiRegionKms();
  });
  afterEach(async () => {
    await kms.close();
  });

  it("resolves an alias by name or ARN in DescribeKey, and answers NotFoundException (HTTP 400) naming the alias ARN otherwise", async () => {
    const client = kms.replica.client();
    const aliasArn = standbyFenceAliasArn(kms.replicaArn, aliasName);
    await expect(client.send(new DescribeKeyCommand({ KeyId: aliasArn }))).rejects.toMatchObject({
      name: "NotFoundException",
      message: `Alias ${aliasArn} is not found.`,
      $metadata: { httpStatusCode: 400 },
    });
    kms.replica.createAlias(aliasName, kms.replicaArn);
    for (const keyId of [aliasName, aliasArn])
      expect((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn).toBe(kms.replicaArn);
  });

  it("keeps aliases regional: one region's alias is not found in the other, and targets only its own region's keys", async () => {
    kms.replica.createAlias(aliasName, kms.replicaArn);
    await expect(kms.primary.client().send(new DescribeKeyCommand({ KeyId: aliasName }))).rejects.toMatchObject({
      name: "NotFoundException",
    });
    expect(() => kms.primary.createAlias("alias/elsewhere", kms.replicaArn)).toThrow(/Invalid keyId/);
    expect(() => kms.replica.createAlias(aliasName, kms.replicaArn)).toThrow(/already exists/);
    expect(() => kms.replica.createAlias("alias/aws/mine", kms.replicaArn)).toThrow(/alias\/aws\//);
    expect(() => kms.replica.createAlias("alias/has.dot", kms.replicaArn)).toThrow(/only \[a-zA-Z0-9\/_-\]/);
  });
});

describe("the fence alias's name", () => {
  it("is a valid KMS alias per primary stack, in the replica key's region and account", () => {
    expect(standbyFenceAliasName("boson-kit", "production")).toBe("alias/boson-kit/production/standby-active");
    expect(standbyFenceAliasName("boson-kit", "acme/other-kit/production")).toBe(
      "alias/other-kit/production/standby-active",
    );
    expect(() => standbyFenceAliasName("boson-kit", "prod.eu")).toThrow(/not a valid KMS alias name/);
    expect(
      standbyFenceAliasArn(
        "arn:aws:kms:eu-central-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef",
        "alias/boson-kit/production/standby-active",
      ),
    ).toBe("arn:aws:kms:eu-central-1:123456789012:alias/boson-kit/production/standby-active");
  });
});
