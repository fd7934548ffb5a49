/**
 * Preflight end to end: the staging stack file, evaluated offline for what
 * the stack needs, checked against the local stand-ins with the real clients;
 * plus the checks that read only the stack file, the summary table and the
 * exit code.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { STSClient } from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { jobCatalog } from "../../../infra/definitions/job-catalog";
import { logPipelineNames } from "../../../infra/definitions/gcp-names";
import { preflight, readStackFileFacts } from "../../../tools/preflight";
import { evaluateStack } from "../../../infra/offline/evaluate";
import { projectRoot } from "../../../infra/offline/stack-file";
import { createAwsClients } from "../../../tools/preflight/aws-clients";
import { closeGcpClients, createGcpClients } from "../../../tools/preflight/gcp-clients";
import { gcpLogBuckets } from "../../../tools/preflight/gcp-log-buckets";
import { fail, pass } from "../../../tools/preflight/check";
import { preflightExitCode, renderReport } from "../../../tools/preflight/report";
import { runCheck } from "../../../tools/preflight/run";
import { describeSecretsProvider, secretsProvider } from "../../../tools/preflight/secrets-provider";
import { stackNeeds } from "../../../tools/preflight/stack-needs";
import { stackSecrets } from "../../../tools/preflight/stack-secrets";
import { callerIsDeployer } from "../../../tools/preflight/caller-is-deployer";
import { installLoopbackGuard, type LoopbackGuard } from "../../harness/loopback-guard";
import {
  healthyAccount,
  healthyProject,
  stagingConfig,
  stagingValues,
  startPreflightWorld,
  type PreflightWorld,
} from "../../harness/preflight-world";

let guard: LoopbackGuard;
let world: PreflightWorld;
let dir: string;

function writeStack(values: Record<string, unknown>, topLevel: Record<string, unknown> = {}): void {
  writeFileSync(join(dir, "Pulumi.staging.yaml"), stringify({ ...topLevel, config: values }));
}

beforeAll(async () => {
  guard = installLoopbackGuard();
  world = await startPreflightWorld();
  dir = mkdtempSync(join(tmpdir(), "preflight-"));
});

afterEach(() => {
  Object.assign(world.account, healthyAccount());
  Object.assign(world.project, healthyProject());
});

afterAll(async () => {
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
  guard?.uninstall();
  expect([...new Set(guard.refused)]).toEqual(["sts.eu-west-1.amazonaws.com:443"]);
  expect(guard.connections.filter((target) => !target.startsWith("127.0.0.1:"))).toEqual(guard.refused);
});

describe("preflight on the staging stack", () => {
  it("passes a ready account and project: exit 0, one table row per check", async () => {
    writeStack(stagingValues(), { encryptionsalt: "v1:test-only-salt" });
    const outcome = await preflight({
      stack: "staging",
      root: dir,
      aws: world.clientOptions.aws,
      gcp: world.clientOptions.gcp,
    });
    expect(outcome.results.filter((result) => result.status === "fail")).toEqual([]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.report.split("\n")[0]).toBe(
      "preflight for stack staging: AWS eu-west-1, GCP project boson-kit-staging",
    );
    expect(outcome.report).toContain("preflight passed: 12 of 12 checks");
    expect(outcome.report).toMatch(/^Pulumi secrets provider\s+info\s+passphrase \(encryptionsalt\)/m);
    expect(outcome.report).toMatch(
      /^Lambda concurrency\s+ok\s+limit 1000, 1000 unreserved in eu-west-1; the stack reserves 1/m,
    );
  });

  it("fails a fresh account (Lambda limit 10) with a deleted log bucket: exit 1, one line per problem with its fix", async () => {
    writeStack(stagingValues());
    world.account.lambda = { concurrentExecutions: 10, unreservedConcurrentExecutions: 10 };
    const { bucketId } = logPipelineNames("staging", stagingConfig().gcp);
    world.project.buckets.set(`europe-west1/${bucketId}`, "DELETE_REQUESTED");
    const outcome = await preflight({
      stack: "staging",
      root: dir,
      aws: world.clientOptions.aws,
      gcp: world.clientOptions.gcp,
    });
    expect(outcome.exitCode).toBe(1);
    const problems = outcome.report.split("\n").filter((line) => line.startsWith("  - "));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^ {2}- Lambda concurrency: account limit is 10 .*; fix: aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 /,
    );
    expect(problems[1]).toMatch(
      new RegExp(`^ {2}- GCP log bucket id: ${bucketId} .* is deleted .*; fix: gcloud logging buckets undelete `),
    );
    expect(outcome.report).toContain("preflight FAILED: 10 of 12 checks passed");
  });
});

describe("what the stack needs, from the offline evaluation", () => {
  it("counts the reserved concurrency the job catalogue sets, one Elastic IP per NAT gateway, and the GCP ids", async () => {
    const needs = stackNeeds(await evaluateStack("staging"));
    const catalogueReserved = Object.values(jobCatalog).reduce((sum, spec) => sum + (spec.reservedConcurrency ?? 0), 0);
    expect(needs.reservedConcurrency).toBe(catalogueReserved);
    expect(needs.natGateways).toBe(stagingConfig().aws.availabilityZones);
    expect(needs.elasticIps).toBe(needs.natGateways);
    expect(needs.signerKeyAlias).toBe("alias/boson-kit/staging/assistant");
    expect(needs.gcpServices).toContain("logging.googleapis.com");
    expect(needs.workloadIdentityPools.map((pool) => pool.project)).toEqual(["boson-kit-staging"]);
    expect(needs.logBuckets.map((bucket) => bucket.location)).toEqual(["europe-west1"]);
  });
});

describe("secrets in stack config", () => {
  it("passes when both RPC URLs are set as secrets", async () => {
    expect(await runCheck(stackSecrets, world.context())).toEqual([expect.objectContaining({ status: "pass" })]);
  });

  it("fails each secret the stack file lacks, with its pulumi config set --secret command", async () => {
    const config = stagingConfig({ "boson-kit:rpcFallbackUrl": undefined });
    const results = await runCheck(stackSecrets, world.context({ config }));
    expect(results).toEqual([
      {
        check: "secrets in stack config",
        status: "fail",
        detail: "boson-kit:rpcFallbackUrl is not set",
        fix: "pulumi config set --secret boson-kit:rpcFallbackUrl 'https://<provider>/<your-key>' --stack staging",
      },
    ]);
  });
});

describe("Pulumi secrets provider", () => {
  it("reads secretsprovider and encryptionsalt from the stack file", () => {
    writeStack(stagingValues(), {
      secretsprovider: "awskms://alias/pulumi-secrets?region=eu-west-1",
      encryptedkey: "test-only",
    });
    expect(describeSecretsProvider(readStackFileFacts("staging", dir))).toBe(
      "AWS KMS (awskms://alias/pulumi-secrets?region=eu-west-1): every deployer needs kms:Decrypt on that key",
    );
    writeStack(stagingValues(), { encryptionsalt: "v1:test-only-salt" });
    expect(describeSecretsProvider(readStackFileFacts("staging", dir))).toMatch(/^passphrase/);
    writeStack(stagingValues());
    expect(describeSecretsProvider(readStackFileFacts("staging", dir))).toMatch(/^Pulumi Cloud's per-stack key/);
  });

  it("is reported, never failed", async () => {
    expect(await runCheck(secretsProvider, world.context())).toEqual([expect.objectContaining({ status: "info" })]);
  });

  it("reads aws:allowedAccountIds, as a list or as the JSON string the CLI writes", () => {
    writeStack(stagingValues({ "aws:allowedAccountIds": ["123456789012"] }));
    expect(readStackFileFacts("staging", dir).allowedAccountIds).toEqual(["123456789012"]);
    writeStack(stagingValues({ "aws:allowedAccountIds": '["210987654321"]' }));
    expect(readStackFileFacts("staging", dir).allowedAccountIds).toEqual(["210987654321"]);
  });
});

describe("report", () => {
  it("fails the run when any check fails, and folds a check's several problems into one row", () => {
    const results = [pass("a", "fine"), fail("b", "first", "fix one"), fail("b", "second", "fix two")];
    expect(preflightExitCode(results)).toBe(1);
    expect(preflightExitCode(results.slice(0, 1))).toBe(0);
    const report = renderReport("staging", results);
    expect(report).toMatch(/^b\s+FAIL\s+2 problems \(below\)$/m);
    expect(report).toContain("  - b: second; fix: fix two");
    expect(report).toContain("preflight FAILED: 1 of 2 checks passed");
  });
});

describe("loopback guard", () => {
  it("refuses a client left on its public endpoint before anything is sent", async () => {
    const publicSts = createAwsClients({ region: "eu-west-1", credentials: world.clientOptions.aws.credentials });
    const context = { ...world.context(), aws: { ...world.aws, sts: publicSts.sts } };
    const [result] = await runCheck(callerIsDeployer, context);
    for (const client of Object.values(publicSts)) client.destroy();
    expect(result?.status).toBe("fail");
    expect(result?.detail).toContain("loopback guard: refused a connection to sts.eu-west-1.amazonaws.com:443");
  });
});

describe("not signed in", () => {
  it("tells an AWS caller without credentials to sign in, not to ask for permissions", async () => {
    const sts = new STSClient({
      region: "eu-west-1",
      endpoint: world.servers.query.url,
      credentials: async () => {
        const error = new Error("Could not load credentials from any providers");
        error.name = "CredentialsProviderError";
        throw error;
      },
    });
    const [result] = await runCheck(callerIsDeployer, { ...world.context(), aws: { ...world.aws, sts } });
    sts.destroy();
    expect(result).toMatchObject({
      status: "fail",
      detail: "could not check: CredentialsProviderError: Could not load credentials from any providers",
    });
    expect(result?.fix).toMatch(/^sign in to AWS as a deployer: aws sso login --profile /);
  });

  it("tells a Google caller without Application Default Credentials to log in", async () => {
    const refuse = async () => {
      throw new Error(
        "Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.",
      );
    };
    const gcp = createGcpClients({
      endpoint: world.clientOptions.gcp.endpoint,
      authClient: { getRequestHeaders: refuse, fetch: refuse, request: refuse },
    });
    const [result] = await runCheck(gcpLogBuckets, { ...world.context(), gcp });
    await closeGcpClients(gcp);
    expect(result?.status).toBe("fail");
    expect(result?.fix).toBe("sign in to Google: gcloud auth application-default login");
  });
});

describe("npm run preflight", () => {
  const cli = async (...args: string[]) => {
    try {
      await promisify(execFile)(join(projectRoot, "node_modules/.bin/tsx"), ["tools/preflight.ts", ...args], {
        cwd: projectRoot,
      });
      return { code: 0, stderr: "" };
    } catch (error) {
      return error as { code: number; stderr: string };
    }
  };

  it("refuses to run without --stack, listing the checks, and names an unknown stack", async () => {
    const usage = await cli();
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("usage: npm run preflight -- --stack <name>");
    expect(usage.stderr).toContain("caller is a deployer, principals match the key, Lambda concurrency");
    const unknown = await cli("--stack", "nonexistent");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('preflight failed: unknown stack "nonexistent"');
  });
});
