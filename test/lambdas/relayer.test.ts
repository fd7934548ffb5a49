/**
 * The meta-transaction relayer path (O4): the assistant signs the protocol's
 * meta-transaction in KMS and a Biconomy-API relayer (a local HTTP server
 * speaking the request shape core-sdk uses, relaying from another anvil
 * account) submits `executeMetaTransaction`. Faults: relayer down, 429,
 * timeout, refusal, empty token bucket (each falls back to the assistant
 * sending the same meta-transaction), a resubmitted hash, and a replayed
 * meta-transaction nonce refused by the protocol fixture.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createWalletClient,
  encodeFunctionData,
  getAbiItem,
  http,
  keccak256,
  parseEther,
  parseGwei,
  toFunctionSelector,
  zeroAddress,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { WriteClients } from "../../lambdas/shared/chain/clients";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../../lambdas/shared/runtime/metrics";
import { createIdempotentRunner } from "../../lambdas/shared/stores/idempotency";
import { metaTransactionsAbi } from "../../lambdas/shared/chain/meta-transaction";
import { relayerFor, type Relayer } from "../../lambdas/shared/chain/relayer";
import { ProtocolRevertError } from "../../lambdas/shared/chain/revert";
import {
  sendCalldata,
  sendProtocolTransaction,
  type ProtocolTransaction,
} from "../../lambdas/shared/chain/transactions";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import { startKmsSellerChain, type KmsSellerChain } from "../harness/kms-seller-chain";
import { anvilKeys, type FixtureDeployment, type SellerSetup } from "../harness/protocol-fixture";
import { startDynalite, type Dynalite } from "../harness/dynalite";

type Mode = "ok" | "down" | "429" | "hang" | "refuse" | "resubmit" | "late" | "silent";

const apiKey = "test-relayer-key";
const apiId = "api-id-execute-meta-tx";
let peers: KmsSellerChain;
let fixture: FixtureDeployment;
let seller: SellerSetup;
let clients: WriteClients;
let output: CapturedOutput;
let relayerServer: Server;
let relayerUrl: string;
let mode: Mode = "ok";
let resubmittedAs: Hex | undefined;
/** The late relayer's signed transaction, broadcast once the assistant's own is pending. */
let held: Hex | undefined;
const relayerAccount = privateKeyToAccount(anvilKeys[1]);
const received: {
  path: string;
  apiKey: string | undefined;
  body: { to: string; params: [string, string, Hex, string, Hex]; from: string; apiId: string } | undefined;
}[] = [];

beforeAll(async () => {
  peers = await startKmsSellerChain({ depositWei: parseEther("1") });
  ({ fixture, seller } = peers);
  clients = peers.writeClients("withdraw");
  const relayerWallet = createWalletClient({
    chain: fixture.chain,
    transport: http(peers.anvil.rpcUrl),
    account: relayerAccount,
  });
  relayerServer = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const body = text ? (JSON.parse(text) as (typeof received)[number]["body"]) : undefined;
        received.push({ path: request.url ?? "", apiKey: request.headers["x-api-key"] as string | undefined, body });
        if (request.url?.startsWith("/api/v1/meta-tx/resubmitted")) {
          response.writeHead(200, { "content-type": "application/json" });
          response.end(
            JSON.stringify({
              code: 200,
              message: "ok",
              data: resubmittedAs ? { newHash: resubmittedAs, newStatus: "CONFIRMED" } : {},
            }),
          );
          return;
        }
        if (mode === "hang") return;
        if (mode === "down") return void response.writeHead(503).end("unavailable");
        if (mode === "429") return void response.writeHead(429).end("slow down");
        if (mode === "refuse")
          return void response
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ flag: 417, log: "not allowed" }));
        if (!body) return void response.writeHead(400).end();
        const [user, functionName, functionSignature, nonce, signature] = body.params;
        if (mode === "late" || mode === "silent") {
          // Signed now with a high tip (so it is ordered first in its block) and broadcast only once the
          // assistant's own submission is in the pool: "late" answers its hash, "silent" never answers.
          const request = await relayerWallet.prepareTransactionRequest({
            to: body.to as Hex,
            data: encodeFunctionData({
              abi: metaTransactionsAbi,
              functionName: "executeMetaTransaction",
              args: [user as Hex, functionName, functionSignature, BigInt(nonce), signature],
            }),
            gas: 500_000n,
            maxFeePerGas: parseGwei("200"),
            maxPriorityFeePerGas: parseGwei("100"),
          });
          held = await relayerWallet.signTransaction(request);
          if (mode === "silent") return;
          response.writeHead(200, { "content-type": "application/json" });
          response.end(JSON.stringify({ txHash: keccak256(held) }));
          return;
        }
        const hash = await relayerWallet.writeContract({
          address: body.to as Hex,
          abi: metaTransactionsAbi,
          functionName: "executeMetaTransaction",
          args: [user as Hex, functionName, functionSignature, BigInt(nonce), signature],
        });
        let answered = hash;
        if (mode === "resubmit") {
          // The relayer answers a first hash that never mines and reports the real one as its resubmission.
          resubmittedAs = hash;
          answered = `0x${"ab".repeat(32)}`;
        }
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ txHash: answered }));
      })();
    });
  });
  await new Promise<void>((resolve) => relayerServer.listen(0, "127.0.0.1", () => resolve()));
  relayerUrl = `http://127.0.0.1:${(relayerServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  relayerServer?.closeAllConnections();
  await Promise.all([
    peers?.stop(),
    new Promise<void>((resolve) => (relayerServer ? relayerServer.close(() => resolve()) : resolve())),
  ]);
});
beforeEach(() => {
  output = captureStdout();
  received.length = 0;
  mode = "ok";
  resubmittedAs = undefined;
  held = undefined;
});
afterEach(() => output.restore());

function relayer(
  overrides: { ratePerSecond?: number; burst?: number; timeoutMs?: number; now?: () => number } = {},
): Relayer {
  const config = {
    url: relayerUrl,
    apiId,
    apiKey,
    ratePerSecond: overrides.ratePerSecond ?? 10,
    burst: overrides.burst ?? 5,
    timeoutMs: overrides.timeoutMs ?? 2_000,
  };
  return relayerFor(config, { now: overrides.now ?? Date.now });
}

let keyCounter = 0;
async function withdrawSmall(
  via: Relayer,
  options: { requestId?: string; idempotencyKey?: string; sleep?: () => Promise<void> } = {},
) {
  const metrics = createJobMetrics("withdraw", "test");
  const sent = await sendProtocolTransaction(
    { functionName: "withdrawFunds", args: [seller.sellerId, [zeroAddress], [parseEther("0.01")]] },
    {
      clients,
      diamond: fixture.diamond,
      logger: createJobLogger("withdraw"),
      requestId: options.requestId ?? "relayer-test",
      idempotencyKey: options.idempotencyKey ?? `withdraw-${++keyCounter}`,
      confirmations: 1,
      relayer: via,
      metrics,
      pollIntervalMs: 20,
      relayedMineTimeoutMs: 1_000,
      ...(options.sleep ? { sleep: options.sleep } : {}),
    },
  );
  metrics.flush();
  return sent;
}

const relayerCalls = () =>
  output.toolCalls().filter((call) => call.tool === "relayer" && call.operation === "executeMetaTransaction");

describe("meta-transactions through the relayer", () => {
  it("relays the KMS-signed meta-transaction with core-sdk's request shape; the relayer pays, the seller's treasury is paid", async () => {
    peers.kms.resetCounters();
    const sent = await withdrawSmall(relayer(), { requestId: "req-relayed" });
    expect(sent.path).toBe("relayer");
    const tx = await fixture.publicClient.getTransaction({ hash: sent.txHash });
    expect(tx.from.toLowerCase()).toBe(relayerAccount.address.toLowerCase());
    expect(sent.receipt.status).toBe("success");
    // One KMS signature per meta-transaction (the typed data), none for a transaction.
    expect(peers.kms.calls().Sign).toBe(1);
    const request = received.find((entry) => entry.path === "/api/v2/meta-tx/native");
    expect(request).toMatchObject({ apiKey, body: { to: fixture.diamond, from: clients.account.address, apiId } });
    expect(request?.body?.params[1]).toBe("withdrawFunds(uint256,address[],uint256[])");
    expect(relayerCalls()[0]).toMatchObject({ outcome: "ok", txHash: sent.txHash, details: { path: "relayer" } });
    expect(output.metricValues("MetaTxRelayed")).toEqual([1]);
    // The key went to the relayer, never to the logs.
    expect(JSON.stringify(output.lines())).not.toContain(apiKey);
  });

  it("follows the relayer's resubmission to the hash that mined", async () => {
    mode = "resubmit";
    const sent = await withdrawSmall(relayer());
    expect(sent.path).toBe("relayer");
    expect(sent.txHash).toBe(resubmittedAs);
    const record = output.toolCalls().find((call) => call.tool === "relayer" && call.operation === "resubmitted");
    expect(record).toMatchObject({ txHash: resubmittedAs, details: { previousHash: `0x${"ab".repeat(32)}` } });
  });

  it.each([
    ["down", "relayer-down"],
    ["429", "http-429"],
    ["refuse", "rejected"],
  ] as const)(
    "relayer %s: the assistant submits the same meta-transaction itself (reason %s)",
    async (fault, reason) => {
      mode = fault;
      const sent = await withdrawSmall(relayer());
      expect(sent).toMatchObject({ path: "direct", fallbackReason: reason });
      const tx = await fixture.publicClient.getTransaction({ hash: sent.txHash });
      expect(tx.from.toLowerCase()).toBe(clients.account.address.toLowerCase());
      // The assistant's transaction is executeMetaTransaction carrying the signed meta-transaction, not a plain withdrawFunds.
      expect(tx.input.slice(0, 10)).toBe(
        toFunctionSelector(getAbiItem({ abi: metaTransactionsAbi, name: "executeMetaTransaction" })),
      );
      expect(relayerCalls()[0]).toMatchObject({
        outcome: "transient",
        details: { path: "direct", fallbackReason: reason },
      });
      expect(output.metricValues("MetaTxFallback")).toEqual([1]);
    },
  );

  it("falls back when the relayer does not answer within the timeout", async () => {
    mode = "hang";
    const started = Date.now();
    const sent = await withdrawSmall(relayer({ timeoutMs: 300 }));
    expect(sent).toMatchObject({ path: "direct", fallbackReason: "timeout" });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("rate-limits relayer calls with the token bucket and goes direct when no token comes in time", async () => {
    let clock = 0;
    const limited = relayer({ ratePerSecond: 1, burst: 1, timeoutMs: 200, now: () => clock });
    expect((await withdrawSmall(limited)).path).toBe("relayer");
    const second = await withdrawSmall(limited);
    expect(second).toMatchObject({ path: "direct", fallbackReason: "rate-limited" });
    clock += 1_000;
    expect((await withdrawSmall(limited)).path).toBe("relayer");
  });

  it("carries the withdraw run's escrow release calls as meta-transactions too (generic struct, allowlisted by the protocol)", async () => {
    const send = (call: ProtocolTransaction, key: string) =>
      sendProtocolTransaction(call, {
        clients,
        diamond: fixture.diamond,
        logger: createJobLogger("withdraw"),
        requestId: "escrow-release",
        idempotencyKey: key,
        confirmations: 1,
        relayer: relayer(),
        pollIntervalMs: 20,
        relayedMineTimeoutMs: 1_000,
      });
    for (const functionName of ["completeExchangeBatch", "expireDisputeBatch"] as const) {
      const sent = await send({ functionName, args: [[]] }, `escrow-${functionName}`);
      expect(sent).toMatchObject({ path: "relayer", receipt: { status: "success" } });
      const tx = await fixture.publicClient.getTransaction({ hash: sent.txHash });
      expect(tx.from.toLowerCase()).toBe(relayerAccount.address.toLowerCase());
    }
    // Past the allowlist and the signature check, the call itself decides: no such exchange.
    const refused = await send({ functionName: "expireVoucher", args: [999_999n] }, "escrow-expire").catch(
      (error: unknown) => error,
    );
    expect((refused as ProtocolRevertError).revert.errorName).toBe("NoSuchExchange");
  });

  it("a replayed meta-transaction is refused by the protocol's nonce and surfaced as a decoded revert", async () => {
    const first = await withdrawSmall(relayer(), { idempotencyKey: "replayed-write" });
    // The same signed executeMetaTransaction, submitted again by the assistant.
    const { input } = await fixture.publicClient.getTransaction({ hash: first.txHash });
    const replay = await sendCalldata(
      { functionName: "executeMetaTransaction", data: input },
      {
        clients,
        diamond: fixture.diamond,
        logger: createJobLogger("withdraw"),
        requestId: "replay",
        confirmations: 1,
      },
    ).catch((error: unknown) => error);
    expect(replay).toBeInstanceOf(ProtocolRevertError);
    expect((replay as ProtocolRevertError).revert.errorName).toBe("NonceUsedAlready");
    expect(
      output.toolCalls().find((call) => call.operation === "simulate.executeMetaTransaction")?.error,
    ).toMatchObject({ errorName: "NonceUsedAlready" });
  });

  it("a write resumed under the same idempotency key (its run stopped after the relayer took it) completes with the hash that executed it, once", async () => {
    const first = await withdrawSmall(relayer(), { idempotencyKey: "resumed-write" });
    const treasury = await fixture.publicClient.getBalance({ address: seller.treasury });
    received.length = 0;
    const resumed = await withdrawSmall(relayer(), { idempotencyKey: "resumed-write" });
    expect(resumed).toMatchObject({ txHash: first.txHash, path: "relayer", gasSpentWei: 0n });
    expect(await fixture.publicClient.getBalance({ address: seller.treasury })).toBe(treasury);
    expect(received.filter((entry) => entry.path === "/api/v2/meta-tx/native")).toEqual([]);
    // The protocol's refusal is in the log, decoded, next to the execution it was traced to.
    expect(
      output
        .toolCalls()
        .filter((call) => call.operation === "simulate.meta.withdrawFunds" && call.outcome === "failed")[0]?.error,
    ).toMatchObject({ errorName: "NonceUsedAlready" });
    expect(
      output.toolCalls().find((call) => call.operation === "executeMetaTransaction.alreadyExecuted"),
    ).toMatchObject({ txHash: first.txHash, details: { stage: "resume", foundBy: "event", path: "relayer" } });
  });
});

describe("the relayer mines the meta-transaction after the assistant's own submission was sent", () => {
  let dynalite: Dynalite;
  beforeAll(async () => {
    dynalite = await startDynalite();
  });
  afterAll(async () => {
    await dynalite?.stop();
  });
  beforeEach(async () => {
    await fixture.testClient.setAutomine(false);
  });
  afterEach(async () => {
    await fixture.testClient.setAutomine(true);
    await fixture.testClient.mine({ blocks: 1 });
  });

  /** A block per poll; once the assistant's own transaction is pending, the relayer's goes into the same block, first. */
  const sleep = async () => {
    const [pending, latest] = await Promise.all(
      (["pending", "latest"] as const).map((blockTag) =>
        fixture.publicClient.getTransactionCount({ address: clients.account.address, blockTag }),
      ),
    );
    if (held && (pending ?? 0) > (latest ?? 0)) {
      await fixture.publicClient.sendRawTransaction({ serializedTransaction: held });
      held = undefined;
    }
    await fixture.testClient.mine({ blocks: 1 });
  };

  it.each([
    ["late", "relayer-hash"],
    ["silent", "event"],
  ] as const)(
    "relayer %s: completed with the relayer's hash (found by %s), the idempotency record keeps it, the log holds both hashes",
    async (fault, foundBy) => {
      mode = fault;
      const table = `late-${fault}`;
      await dynalite.createTable(table);
      const logger = createJobLogger("withdraw");
      const idempotent = createIdempotentRunner({
        tableName: table,
        client: dynalite.newClient(),
        logger,
        keyPrefix: "withdraw.test",
      });
      const treasuryBefore = await fixture.publicClient.getBalance({ address: seller.treasury });
      const key = { sellerId: seller.sellerId.toString(), window: fault };
      const write = async () => {
        const sent = await withdrawSmall(relayer({ timeoutMs: 300 }), { idempotencyKey: `late-${fault}`, sleep });
        return { txHash: sent.txHash, path: sent.path, fallbackReason: sent.fallbackReason ?? "none" };
      };

      const first = await idempotent("withdraw", key, write);

      expect(first.status).toBe("executed");
      if (first.status === "in-progress") return;
      expect(first.result).toMatchObject({ path: "relayer", fallbackReason: "timeout" });
      const executing = await fixture.publicClient.getTransaction({ hash: first.result.txHash as Hex });
      expect(executing.from.toLowerCase()).toBe(relayerAccount.address.toLowerCase());
      const record = output.toolCalls().find((call) => call.operation === "executeMetaTransaction.alreadyExecuted");
      expect(record).toMatchObject({
        tool: "relayer",
        outcome: "ok",
        txHash: first.result.txHash,
        details: { path: "relayer", foundBy, executedBy: relayerAccount.address },
      });
      // The assistant's own executeMetaTransaction was mined too, and reverted on the used nonce.
      const revertedHash = (record?.details as { revertedHash?: Hex }).revertedHash as Hex;
      const reverted = await fixture.publicClient.getTransactionReceipt({ hash: revertedHash });
      expect(reverted.status).toBe("reverted");
      expect(reverted.from.toLowerCase()).toBe(clients.account.address.toLowerCase());
      expect(
        output.toolCalls().some((call) => call.operation === "eth_sendRawTransaction" && call.txHash === revertedHash),
      ).toBe(true);
      // Executed once: the treasury got the amount once.
      expect((await fixture.publicClient.getBalance({ address: seller.treasury })) - treasuryBefore).toBe(
        parseEther("0.01"),
      );
      // The record completed with the executing hash: the next run gets it back and sends nothing.
      const again = await idempotent("withdraw", key, () => Promise.reject(new Error("must not run again")));
      expect(again).toEqual({ status: "replayed", result: first.result });
    },
  );
});
