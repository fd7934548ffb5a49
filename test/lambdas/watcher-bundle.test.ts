import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEther, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainEventId, createEventStore } from "../../lambdas/shared/stores/events";
import { startSecretsEndpoint, type SecretsEndpoint } from "../harness/secrets-endpoint";
import { startAnvil, type Anvil } from "../harness/anvil";
import { bundleHandler } from "../harness/bundle";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import {
  anvilKeys,
  createOffer,
  createSeller,
  deployProtocolFixture,
  send,
  type FixtureDeployment,
} from "../harness/protocol-fixture";
import { startWebhookReceiver, type WebhookReceiver } from "../harness/webhook-receiver";

/**
 * The watcher as deployed: bundled with the infra's esbuild options (the
 * shared bundle harness: platform node, target node22, cjs, the AWS SDK
 * inside), run in a separate Node process
 * with the environment infra sets, against anvil, dynalite, a Secrets Manager
 * stand-in (RPC URLs and the webhook key) and a webhook receiver.
 */

const secret = `whsec_${randomBytes(32).toString("base64")}`;
const kit = privateKeyToAccount(anvilKeys[1]).address;
const buyerKey = anvilKeys[2];
const traceRoot = "1-67890abc-0123456789abcdef01234567";

let anvil: Anvil;
let db: Dynalite;
let receiver: WebhookReceiver;
let secrets: SecretsEndpoint;
let rpcSecretArn: string;
let webhookSecretArn: string;
let fixture: FixtureDeployment;
let directory: string;

beforeAll(async () => {
  [anvil, db, receiver, secrets] = await Promise.all([
    startAnvil(),
    startDynalite(["events", "checkpoints"]),
    startWebhookReceiver(secret),
    startSecretsEndpoint(),
  ]);
  fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  rpcSecretArn = secrets.putSecret("rpc", JSON.stringify({ primary: anvil.rpcUrl }));
  webhookSecretArn = secrets.putSecret("webhook", secret);
  directory = mkdtempSync(join(tmpdir(), "watcher-bundle-"));
});
afterAll(async () => {
  await Promise.all([anvil?.stop(), db?.stop(), receiver?.stop(), secrets?.close()]);
  if (directory) rmSync(directory, { recursive: true, force: true });
});

function runBundle(
  bundlePath: string,
  env: Record<string, string>,
  invocations: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `
    const { handler } = require(${JSON.stringify(bundlePath)});
    (async () => {
      for (let i = 0; i < ${invocations}; i++) process.stdout.write("RESULT " + JSON.stringify(await handler()) + "\\n");
    })().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", script], {
      // Only what a Lambda has: the job's environment, AWS SDK v3 from the runtime (here: node_modules).
      env: { PATH: process.env.PATH ?? "", NODE_PATH: join(__dirname, "..", "..", "node_modules"), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("watcher bundle", () => {
  it("bundles with the infra's esbuild options and runs from the bundle: stores, signs and sends, forwards the trace id", async () => {
    const { file: bundlePath, bytes } = await bundleHandler("watcher", directory);
    expect(bytes).toBeLessThan(1_000_000);
    const code = readFileSync(bundlePath, "utf8");
    for (const sdk of ["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb", "@aws-sdk/client-secrets-manager"]) {
      expect(code).not.toContain(`require("${sdk}")`); // bundled: the tested SDK version ships
    }

    const client = fixture.publicClient as PublicClient;
    const { sellerId } = await createSeller(fixture, kit, kit);
    const start = (await client.getBlockNumber({ cacheTime: 0 })) + 1n;
    const price = parseEther("0.01");
    const offerId = await createOffer(fixture, sellerId, { price });
    const { hash } = await send(fixture, fixture.wallet(buyerKey), {
      address: fixture.diamond,
      abi: fixture.abi,
      functionName: "commitToOffer",
      args: [privateKeyToAccount(buyerKey).address, offerId],
      value: price,
    });
    await fixture.testClient.mine({ blocks: 2 });

    const run = await runBundle(
      bundlePath,
      {
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
        _X_AMZN_TRACE_ID: `Root=${traceRoot};Parent=53995c3f42cd8ad8;Sampled=1`,
        KIT_STACK: "local",
        CONFIG_ID: "local-31337-0",
        CHAIN_ID: String(anvil.chain.id),
        PROTOCOL_DIAMOND: fixture.diamond,
        SUBGRAPH_URL: "http://127.0.0.1:9/subgraphs/boson",
        CONFIRMATIONS: "2",
        SELLER_ID: sellerId.toString(),
        SELLER_TREASURY: kit,
        SELLER_ADMIN: kit,
        SELLER_TOKENS: "[]",
        EXPECTED_DAILY_BURN_WEI: "1000000000000000",
        SUBGRAPH_MAX_LAG_BLOCKS: "20",
        RPC_SECRET_ARN: rpcSecretArn,
        WEBHOOK_SECRET_ARN: webhookSecretArn,
        WEBHOOK_ENDPOINTS: JSON.stringify([receiver.url]),
        EVENTS_TABLE: "events",
        CHECKPOINTS_TABLE: "checkpoints",
        SIGNER_ADDRESS: kit,
        WATCHER_START_BLOCK: start.toString(),
        POWERTOOLS_SERVICE_NAME: "watcher",
        POWERTOOLS_METRICS_NAMESPACE: "BosonKit",
      },
      2,
    );
    // The AWS SDK may warn that Node 20 is old; nothing else may reach stderr.
    expect(
      run.stderr.split("\n").filter((line) => /error|fail/i.test(line) && !line.includes("NodeVersionSupportWarning")),
    ).toEqual([]);
    expect(run.code).toBe(0);
    const results = run.stdout
      .split("\n")
      .filter((line) => line.startsWith("RESULT "))
      .map((line) => JSON.parse(line.slice(7)) as Record<string, unknown>);
    expect(results[0]).toMatchObject({ stored: 1, delivered: 1, caughtUp: true });
    expect(results[1]).toMatchObject({ ranges: 0, stored: 0 }); // warm invocation: nothing new
    expect(secrets.reads()).toEqual({ [rpcSecretArn]: 1, [webhookSecretArn]: 1 }); // RPC URLs and webhook key, once each for the container

    const [delivery] = receiver.delivered();
    expect(delivery?.id).toBe(chainEventId(hash, 2));
    expect(delivery?.payload?.type).toBe("boson.buyer_committed");
    expect(delivery?.headers["x-amzn-trace-id"]).toBe(`Root=${traceRoot}`);
    expect(await createEventStore(db.documents, "events").get(chainEventId(hash, 2))).toMatchObject({
      delivery: { status: "delivered" },
    });

    // EMF metrics with the catalogue's dimensions, and no secret in any record.
    expect(run.stdout).toContain('"JobSucceeded"');
    expect(run.stdout).not.toContain(secret.slice("whsec_".length));
  });
});
