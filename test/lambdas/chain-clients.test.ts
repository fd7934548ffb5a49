/**
 * Chain clients and the RPC secret: the trace id rides on every RPC request
 * (B4), concurrent reads share one HTTP request (batching), a failing primary
 * hands over to the fallback, and the secret is read once per process and
 * never quoted in errors.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { zeroAddress } from "viem";
import { createReadClients } from "../../lambdas/shared/chain/clients";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { pauseHandlerAbi } from "../../lambdas/shared/chain/protocol";
import {
  clearRpcSecretCache,
  parseRpcSecret,
  readRpcSecret,
  RpcSecretError,
} from "../../lambdas/shared/chain/rpc-secret";
import { startAnvil, type Anvil } from "../harness/anvil";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import { deployProtocolFixture, type FixtureDeployment } from "../harness/protocol-fixture";
import { startSecretsEndpoint, type SecretsEndpoint } from "../harness/secrets-endpoint";

type Seen = { headers: Record<string, string | string[] | undefined>; body: unknown };

let anvil: Anvil;
let fixture: FixtureDeployment;
let secrets: SecretsEndpoint;
let proxy: Server;
let proxyUrl: string;
let failing = false;
const seen: Seen[] = [];
let output: CapturedOutput;

beforeAll(async () => {
  [anvil, secrets] = await Promise.all([startAnvil(), startSecretsEndpoint()]);
  fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  // A recording proxy in front of anvil: it sees each HTTP request (a batch is one), and can fail on demand.
  proxy = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ headers: request.headers, body: JSON.parse(body) as unknown });
      if (failing) {
        response.writeHead(503).end("unavailable");
        return;
      }
      void fetch(anvil.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
        async (upstream) => {
          response.writeHead(upstream.status, { "content-type": "application/json" });
          response.end(await upstream.text());
        },
      );
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", () => resolve()));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/rpc/key-123`;
});
afterAll(async () => {
  proxy?.closeAllConnections();
  await Promise.all([
    anvil?.stop(),
    secrets?.close(),
    new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve())),
  ]);
});
beforeEach(() => {
  seen.length = 0;
  failing = false;
  output = captureStdout();
});
afterEach(() => output.restore());

describe("chain clients", () => {
  it("forwards the invocation's trace id on every RPC request, read per request", async () => {
    const { publicClient } = createReadClients({
      chainId: anvil.chain.id,
      urls: { primary: proxyUrl },
      logger: createJobLogger("health"),
    });
    process.env._X_AMZN_TRACE_ID = "Root=1-65f0c1a2-0123456789abcdef01234567;Parent=abc;Sampled=1";
    try {
      await publicClient.getBlockNumber({ cacheTime: 0 });
      process.env._X_AMZN_TRACE_ID = "Root=1-65f0c1a2-fedcba9876543210fedcba98;Sampled=1";
      await publicClient.getChainId();
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
    expect(seen.map((request) => request.headers["x-amzn-trace-id"])).toEqual([
      "Root=1-65f0c1a2-0123456789abcdef01234567",
      "Root=1-65f0c1a2-fedcba9876543210fedcba98",
    ]);
  });

  it("sends concurrent reads as one JSON-RPC batch", async () => {
    const clients = createReadClients({
      chainId: anvil.chain.id,
      urls: { primary: proxyUrl },
      logger: createJobLogger("health"),
    });
    const { publicClient } = clients;
    await Promise.all([
      publicClient.getBlockNumber({ cacheTime: 0 }),
      publicClient.getBalance({ address: zeroAddress }),
      publicClient.readContract({ address: fixture.diamond, abi: pauseHandlerAbi, functionName: "getPausedRegions" }),
      publicClient.getGasPrice(),
    ]);
    expect(seen).toHaveLength(1);
    expect(Array.isArray(seen[0]?.body) && seen[0].body.length).toBe(4);
    expect(clients.usage.httpRequests).toBe(1);
  });

  it("moves to the fallback when the primary answers errors, and logs both endpoints' outcomes", async () => {
    failing = true;
    const clients = createReadClients({
      chainId: anvil.chain.id,
      urls: { primary: proxyUrl, fallback: anvil.rpcUrl },
      logger: createJobLogger("health"),
    });
    const head = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
    expect(head).toBe(await fixture.publicClient.getBlockNumber());
    expect(clients.usage).toMatchObject({ answered: { primary: 0, fallback: 1 }, failed: { primary: 1, fallback: 0 } });
    const calls = output.toolCalls();
    expect(calls.map((call) => [call.details?.endpoint, call.outcome])).toEqual([
      ["primary", "transient"],
      ["fallback", "ok"],
    ]);
    // The primary's URL path holds its API key: no record carries it.
    expect(JSON.stringify(output.lines())).not.toContain("key-123");
  });
});

describe("RPC secret", () => {
  it("is read from Secrets Manager once per process", async () => {
    clearRpcSecretCache();
    const arn = secrets.putSecret(
      "rpc-once",
      JSON.stringify({ primary: "https://rpc.example/v2/key", fallback: "https://backup.example/key" }),
    );
    const client = new SecretsManagerClient({
      endpoint: secrets.url,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const logger = createJobLogger("health");
    const first = await readRpcSecret({ secretArn: arn, logger, client });
    const second = await readRpcSecret({ secretArn: arn, logger, client });
    expect(first).toEqual({ primary: "https://rpc.example/v2/key", fallback: "https://backup.example/key" });
    expect(second).toBe(first);
    expect(secrets.reads()[arn]).toBe(1);
    expect(output.toolCalls().filter((call) => call.tool === "secrets")).toHaveLength(1);
    expect(JSON.stringify(output.lines())).not.toContain("/v2/key");
  });

  it("does not cache a failed read", async () => {
    clearRpcSecretCache();
    const client = new SecretsManagerClient({
      endpoint: secrets.url,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    });
    const logger = createJobLogger("health");
    const missing = "arn:aws:secretsmanager:us-east-1:111122223333:secret:not-yet-AbCdEf";
    await expect(readRpcSecret({ secretArn: missing, logger, client })).rejects.toThrow();
    const arn = secrets.putSecret("not-yet", JSON.stringify({ primary: "https://rpc.example/" }));
    expect(arn).toBe(missing);
    await expect(readRpcSecret({ secretArn: arn, logger, client })).resolves.toEqual({
      primary: "https://rpc.example/",
    });
  });

  it("carries the relayer's api key when the stack has a relayer, and refuses an empty one", () => {
    expect(parseRpcSecret(JSON.stringify({ primary: "https://rpc.example/", relayerApiKey: "key-123" }))).toEqual({
      primary: "https://rpc.example/",
      relayerApiKey: "key-123",
    });
    expect(() => parseRpcSecret(JSON.stringify({ primary: "https://rpc.example/", relayerApiKey: "" }))).toThrow(
      /bad: relayerApiKey/,
    );
  });

  it("rejects malformed secrets without quoting them", () => {
    expect(() => parseRpcSecret("not json https://secret.example/key")).toThrow(RpcSecretError);
    expect(() => parseRpcSecret(JSON.stringify({ primary: "ftp://x/key-999" }))).toThrow(/bad: primary/);
    let message = "";
    try {
      parseRpcSecret(JSON.stringify({ primary: "nope-key-999" }));
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain("bad: primary");
    expect(message).not.toContain("key-999");
    expect(() => parseRpcSecret(undefined)).toThrow(/no SecretString/);
  });
});
