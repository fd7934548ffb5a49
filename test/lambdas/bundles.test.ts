/**
 * Each job handler bundles (esbuild, as the infra does) under 1 MB and runs
 * from its bundle: the test loads the built file with Node's own require and
 * invokes `handler` with the Lambda environment pointing at local peers
 * (anvil + protocol fixture, the KMS endpoint, dynalite, a Secrets Manager
 * endpoint holding the RPC secret, the local subgraph). The real AWS SDK
 * clients reach them through AWS_ENDPOINT_URL_*.
 */
import { mkdtempSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "aws-lambda";
import { parseEther, zeroAddress } from "viem";
import { bundleJob } from "../../infra/build/bundle";
import { kmsAccount } from "../../lambdas/shared/kms-account/account";
import { startAnvil, type Anvil } from "../harness/anvil";
import { bundleHandler } from "../harness/bundle";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import { freePort } from "../harness/free-port";
import { captureStdout } from "../harness/job-output";
import { startKmsEndpoint, type KmsEndpoint } from "../harness/kms-endpoint";
import {
  createOffer,
  createSeller,
  deployProtocolFixture,
  depositFunds,
  fund,
  type FixtureDeployment,
} from "../harness/protocol-fixture";
import { startSecretsEndpoint, type SecretsEndpoint } from "../harness/secrets-endpoint";
import { startFixtureSubgraph, type SubgraphServer } from "../harness/subgraph-server";

type Handler = (
  event: unknown,
  context?: Context,
) => Promise<{ status: string; reason?: string } & Record<string, unknown>>;

const jobs = ["withdraw", "health", "smoke"] as const;
const fenceAlias = "alias/boson-kit/local/standby-active";
const bundleDir = mkdtempSync(join(tmpdir(), "kit-bundles-"));
// No node_modules next to the bundles: each must hold everything it runs, the AWS SDK included (the tested versions ship).

let anvil: Anvil;
let kms: KmsEndpoint;
let dynalite: Dynalite;
let secrets: SecretsEndpoint;
let subgraph: SubgraphServer;
let fixture: FixtureDeployment;
let rpcSecretArn: string;
const sizes: Record<string, number> = {};
const handlers: Record<string, Handler> = {};
const savedEnv = { ...process.env };

function context(name: string, id: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `kit-${name}`,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:111122223333:function:kit-${name}`,
    memoryLimitInMB: "512",
    awsRequestId: id,
    logGroupName: `/aws/lambda/kit-${name}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

beforeAll(async () => {
  const built = Promise.all(jobs.map(async (job) => [job, await bundleHandler(job, bundleDir)] as const));
  [anvil, kms, dynalite, secrets] = await Promise.all([
    startAnvil(),
    startKmsEndpoint(),
    startDynalite(["kit-idempotency", "kit-events"]),
    startSecretsEndpoint(),
  ]);
  fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  const { keyId, arn: keyArn } = kms.createKey();
  const account = await kmsAccount({ keyId, client: kms.client() });
  await fund(fixture, account.address);
  const treasury = "0x000000000000000000000000000000000000dEaD";
  const seller = await createSeller(fixture, account.address, treasury);
  await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
  const offerId = await createOffer(fixture, seller.sellerId, { price: parseEther("0.01") });
  subgraph = await startFixtureSubgraph(anvil.rpcUrl, fixture);
  // The primary RPC is down: every bundle reaches the chain through the fallback.
  rpcSecretArn = secrets.putSecret(
    "kit/rpc",
    JSON.stringify({ primary: `http://127.0.0.1:${await freePort()}/v1/secret-key`, fallback: anvil.rpcUrl }),
  );

  Object.assign(process.env, {
    KIT_STACK: "local",
    CONFIG_ID: "local-31337-0",
    CHAIN_ID: String(anvil.chain.id),
    PROTOCOL_DIAMOND: fixture.diamond,
    SUBGRAPH_URL: subgraph.url,
    CONFIRMATIONS: "1",
    SELLER_ID: seller.sellerId.toString(),
    SELLER_TREASURY: treasury,
    SELLER_ADMIN: fixture.deployer.account.address,
    SELLER_TOKENS: JSON.stringify([
      { address: zeroAddress, symbol: "ETH", withdrawThresholdWei: parseEther("0.5").toString() },
    ]),
    EXPECTED_DAILY_BURN_WEI: parseEther("0.1").toString(),
    SUBGRAPH_MAX_LAG_BLOCKS: "20",
    KEY_ID: keyId,
    // AWS_ENDPOINT_URL_KMS serves every region here, so the key stands in for its own replica: the replica's
    // region is where the signing jobs look for the standby fence.
    REPLICA_KEY_ARN: keyArn,
    STANDBY_FENCE_ALIAS: fenceAlias,
    RPC_SECRET_ARN: rpcSecretArn,
    IDEMPOTENCY_TABLE: "kit-idempotency",
    EVENTS_TABLE: "kit-events",
    GAS_ALERT_RATIOS: "[0.5,0.2,0.1]",
    SMOKE_OFFER_ID: offerId.toString(),
    SMOKE_EXCHANGE_TOKEN: "native",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_ENDPOINT_URL_KMS: kms.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: "kit-bundles-test",
  });
  const load = createRequire(join(bundleDir, "loader.js"));
  for (const [job, bundle] of await built) {
    sizes[job] = bundle.bytes;
    handlers[job] = (load(bundle.file) as { handler: Handler }).handler;
  }
});

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await Promise.all([anvil?.stop(), kms?.close(), dynalite?.stop(), secrets?.close(), subgraph?.stop()]);
});

describe("bundled handlers", () => {
  it("carries its own AWS SDK: nothing is required from the runtime but Node's built-ins", async () => {
    // The SDK's SigV4a signers, required inside a try/catch only for S3 multi-region access points, which no job calls.
    const optionalSigners = ["@aws-sdk/signature-v4-crt", "@aws-sdk/signature-v4a"];
    for (const job of jobs) {
      const { code } = await bundleJob(job);
      const required = new Set([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1] ?? ""));
      const fromOutside = [...required].filter((name) => !isBuiltin(name) && !optionalSigners.includes(name));
      expect(fromOutside, job).toEqual([]);
      expect(code.includes("KMSClient") || code.includes("SecretsManager"), job).toBe(true);
    }
  });

  it("each bundle is a CommonJS module under 1 MB exporting handler", () => {
    for (const job of jobs) {
      expect(typeof handlers[job]).toBe("function");
      expect(sizes[job]).toBeLessThan(1_000_000);
    }
  });

  it("withdraw signs nothing while the standby's fence alias exists in the replica's region, and resumes once it is gone", async () => {
    const output = captureStdout();
    try {
      const treasury = process.env.SELLER_TREASURY as `0x${string}`;
      const before = await fixture.publicClient.getBalance({ address: treasury });
      kms.createAlias(fenceAlias, process.env.REPLICA_KEY_ARN ?? "");
      const outcome = await handlers.withdraw?.({}, context("withdraw", "req-withdraw-fenced"));
      expect(outcome).toMatchObject({ status: "transient", reason: "standby-active" });
      expect(kms.calls().Sign).toBe(0);
      expect(await fixture.publicClient.getBalance({ address: treasury })).toBe(before);
      expect(output.metricValues("StandbyActive")).toEqual([1]);
      kms.deleteAlias(fenceAlias);
    } finally {
      output.restore();
    }
  });

  it("withdraw runs from its bundle: signs through KMS, withdraws to the treasury, reads the RPC secret once", async () => {
    const output = captureStdout();
    try {
      const before = await fixture.publicClient.getBalance({ address: process.env.SELLER_TREASURY as `0x${string}` });
      const first = await handlers.withdraw?.({}, context("withdraw", "req-withdraw-1"));
      expect(first).toMatchObject({ status: "succeeded", reason: "withdrawn", path: "direct" });
      expect(await fixture.publicClient.getBalance({ address: process.env.SELLER_TREASURY as `0x${string}` })).toBe(
        before + parseEther("1"),
      );
      const second = await handlers.withdraw?.({}, context("withdraw", "req-withdraw-2"));
      expect(second).toMatchObject({ status: "succeeded", reason: "below-threshold" });
      expect(secrets.reads()[rpcSecretArn]).toBe(1);
      expect(kms.calls().Sign).toBeGreaterThanOrEqual(1);
      // Records carry the Lambda request id, the fallback shows in them, and the RPC secret's URL path does not.
      const calls = output.toolCalls();
      expect(calls.some((call) => call.details?.endpoint === "fallback")).toBe(true);
      expect(output.lines().some((line) => line.function_request_id === "req-withdraw-1")).toBe(true);
      expect(JSON.stringify(output.lines())).not.toContain("secret-key");
      expect(output.metricValues("JobSucceeded")).toEqual([1, 1]);
    } finally {
      output.restore();
    }
  });

  it("health runs from its bundle", async () => {
    const output = captureStdout();
    try {
      const outcome = await handlers.health?.({}, context("health", "req-health-1"));
      expect(outcome).toMatchObject({ status: "succeeded", report: { subgraphLagBlocks: 0, pausedRegions: [] } });
      expect(output.metricValues("HealthHeartbeat")).toEqual([1]);
      expect(output.metricValues("RpcFallbackUsed")[0]).toBeGreaterThan(0);
    } finally {
      output.restore();
    }
  });

  it("smoke signs nothing either while the standby's fence alias exists", async () => {
    const output = captureStdout();
    try {
      kms.createAlias(fenceAlias, process.env.REPLICA_KEY_ARN ?? "");
      const signs = kms.calls().Sign;
      const outcome = await handlers.smoke?.({}, context("smoke", "req-smoke-fenced"));
      expect(outcome).toMatchObject({ status: "transient", reason: "standby-active" });
      expect(kms.calls().Sign).toBe(signs);
      kms.deleteAlias(fenceAlias);
    } finally {
      output.restore();
    }
  });

  it("smoke runs from its bundle", async () => {
    const output = captureStdout();
    try {
      const outcome = await handlers.smoke?.({}, context("smoke", "req-smoke-1"));
      expect(outcome?.status).toBe("succeeded");
      expect((outcome?.steps as { status: string }[]).every((step) => step.status === "passed")).toBe(true);
      expect(output.metricValues("SmokeStepFailed")).toEqual([]);
    } finally {
      output.restore();
    }
  });
});
