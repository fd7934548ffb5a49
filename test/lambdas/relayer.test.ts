/**
 * The relayer path (O4): rate-limited by a token bucket, falling back to a
 * direct signed transaction when the relayer fails, times out or the bucket
 * is empty, recording the path taken. The relayer here is a local HTTP
 * server that broadcasts to anvil (or misbehaves on request).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPublicClient, http, parseEther, zeroAddress, type Hex } from "viem";
import type { WriteClients } from "../../lambdas/shared/chain/clients";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { TokenBucket } from "../../lambdas/shared/chain/token-bucket";
import type { Relayer } from "../../lambdas/shared/chain/relayer";
import { sendProtocolTransaction } from "../../lambdas/shared/chain/transactions";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import { startKmsSellerChain, type KmsSellerChain } from "../harness/kms-seller-chain";
import type { FixtureDeployment, SellerSetup } from "../harness/protocol-fixture";

type Mode = "ok" | "fail" | "hang" | "wrong-hash";

let peers: KmsSellerChain;
let fixture: FixtureDeployment;
let seller: SellerSetup;
let clients: WriteClients;
let output: CapturedOutput;
let relayerServer: Server;
let relayerUrl: string;
let mode: Mode = "ok";
const received: { body: { requestId: string; chainId: number; signedTransaction: Hex }; trace: string | undefined }[] = [];

beforeAll(async () => {
  peers = await startKmsSellerChain({ depositWei: parseEther("1") });
  ({ fixture, seller } = peers);
  clients = peers.writeClients("withdraw");
  const chain = createPublicClient({ transport: http(peers.anvil.rpcUrl) });
  relayerServer = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { requestId: string; chainId: number; signedTransaction: Hex };
        received.push({ body, trace: request.headers["x-amzn-trace-id"] as string | undefined });
        if (mode === "hang") return; // never answers
        if (mode === "fail") {
          response.writeHead(502).end("bad gateway");
          return;
        }
        const txHash = await chain.sendRawTransaction({ serializedTransaction: body.signedTransaction });
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ txHash: mode === "wrong-hash" ? `0x${"ab".repeat(32)}` : txHash }));
      })();
    });
  });
  await new Promise<void>((resolve) => relayerServer.listen(0, "127.0.0.1", () => resolve()));
  relayerUrl = `http://127.0.0.1:${(relayerServer.address() as AddressInfo).port}/relay`;
});
afterAll(async () => {
  relayerServer?.closeAllConnections();
  await Promise.all([peers?.stop(), new Promise<void>((resolve) => (relayerServer ? relayerServer.close(() => resolve()) : resolve()))]);
});
beforeEach(() => {
  output = captureStdout();
  received.length = 0;
  mode = "ok";
});
afterEach(() => output.restore());

function relayer(overrides: { ratePerSecond?: number; burst?: number; timeoutMs?: number; now?: () => number } = {}): Relayer {
  const config = { url: relayerUrl, ratePerSecond: overrides.ratePerSecond ?? 10, burst: overrides.burst ?? 5, timeoutMs: overrides.timeoutMs ?? 2_000 };
  return { config, bucket: new TokenBucket(config.ratePerSecond, config.burst, overrides.now) };
}

async function withdrawSmall(via: Relayer, requestId = "relayer-test") {
  return sendProtocolTransaction(
    { functionName: "withdrawFunds", args: [seller.sellerId, [zeroAddress], [parseEther("0.01")]] },
    { clients, diamond: fixture.diamond, logger: createJobLogger("withdraw"), requestId, confirmations: 1, relayer: via, pollIntervalMs: 20 },
  );
}

describe("relayer", () => {
  it("submits through the relayer when it answers, forwarding the request and trace ids", async () => {
    process.env._X_AMZN_TRACE_ID = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    try {
      const sent = await withdrawSmall(relayer(), "req-relayed");
      expect(sent.path).toBe("relayer");
      expect(sent.receipt.status).toBe("success");
      expect(received).toHaveLength(1);
      expect(received[0]?.body).toMatchObject({ requestId: "req-relayed", chainId: peers.anvil.chain.id });
      expect(received[0]?.trace).toBe("Root=1-5759e988-bd862e3fe1be46a994272793");
      expect(output.toolCalls().find((call) => call.tool === "relayer")).toMatchObject({ outcome: "ok", txHash: sent.txHash, details: { path: "relayer" } });
      // Every tool-call record of the run carries the trace id (B4), so one search by it returns the whole path.
      expect(output.toolCalls().length).toBeGreaterThan(3);
      expect(output.toolCalls().every((call) => call.xray_trace_id === "1-5759e988-bd862e3fe1be46a994272793")).toBe(true);
      // The signed transaction went to the relayer, never to the logs.
      expect(JSON.stringify(output.lines())).not.toContain(received[0]?.body.signedTransaction.slice(0, 120));
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
  });

  it("falls back to a direct transaction when the relayer fails", async () => {
    mode = "fail";
    const sent = await withdrawSmall(relayer());
    expect(sent).toMatchObject({ path: "direct", fallbackReason: "relayer-failed" });
    expect(sent.receipt.status).toBe("success");
    expect(received).toHaveLength(1);
    expect(output.toolCalls().find((call) => call.tool === "relayer")).toMatchObject({ outcome: "transient", details: { path: "direct", fallbackReason: "relayer-failed" } });
  });

  it("falls back when the relayer times out", async () => {
    mode = "hang";
    const started = Date.now();
    const sent = await withdrawSmall(relayer({ timeoutMs: 300 }));
    expect(sent).toMatchObject({ path: "direct", fallbackReason: "timeout" });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("does not trust a relayer that answers another transaction's hash", async () => {
    mode = "wrong-hash";
    const sent = await withdrawSmall(relayer());
    expect(sent).toMatchObject({ path: "direct", fallbackReason: "relayer-failed" });
    expect(sent.receipt.status).toBe("success");
  });

  it("rate-limits relayer calls with the token bucket and goes direct when no token comes in time", async () => {
    let clock = 1_000_000;
    const limited = relayer({ ratePerSecond: 1, burst: 1, timeoutMs: 200, now: () => clock });
    const first = await withdrawSmall(limited, "first");
    const second = await withdrawSmall(limited, "second");
    expect(first.path).toBe("relayer");
    expect(second).toMatchObject({ path: "direct", fallbackReason: "rate-limited" });
    expect(received.map((entry) => entry.body.requestId)).toEqual(["first"]);
    clock += 1_000;
    expect((await withdrawSmall(limited, "third")).path).toBe("relayer");
  });
});

describe("token bucket", () => {
  it("refills at the configured rate up to the burst", async () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    expect(bucket.waitTimeMs()).toBe(500);
    now += 499;
    expect(bucket.tryTake()).toBe(false);
    now += 1;
    expect(bucket.tryTake()).toBe(true);
    now += 60_000;
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    const slept: number[] = [];
    expect(await bucket.take(1_000, async (ms) => { slept.push(ms); now += ms; })).toBe(true);
    expect(slept).toEqual([500]);
    expect(await bucket.take(100, async () => undefined)).toBe(false);
  });
});
