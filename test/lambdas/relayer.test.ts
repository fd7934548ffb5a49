/**
 * The meta-transaction relayer path (O4): the assistant signs the protocol's
 * meta-transaction in KMS and a Biconomy-API relayer (a local HTTP server
 * speaking the request shape core-sdk uses, relaying from another anvil
 * account) submits `executeMetaTransaction`. Faults: relayer down, 429,
 * timeout, refusal, empty token bucket (each falls back to the assistant
 * sending the same meta-transaction), a resubmitted hash, and a replayed
 * meta-transaction nonce refused by the protocol fixture. The late relayer is in
 * relayer-late.test.ts.
 */
import { describe, expect, it } from "vitest";
import { getAbiItem, toFunctionSelector } from "viem";
import { metaTransactionsAbi } from "../../lambdas/shared/chain/meta-transaction";
import { ProtocolRevertError } from "../../lambdas/shared/chain/revert";
import {
  sendCalldata,
  sendProtocolTransaction,
  type ProtocolTransaction,
} from "../../lambdas/shared/chain/transactions";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { relayerAccount, relayerApiId, relayerApiKey, useRelayerWorld } from "../harness/relayer-world";

const world = useRelayerWorld();
const { relayer, withdrawSmall, relayerCalls } = world;

describe("meta-transactions through the relayer", () => {
  it("relays the KMS-signed meta-transaction with core-sdk's request shape; the relayer pays, the seller's treasury is paid", async () => {
    world.peers.kms.resetCounters();
    const sent = await withdrawSmall(relayer(), { requestId: "req-relayed" });
    expect(sent.path).toBe("relayer");
    const tx = await world.fixture.publicClient.getTransaction({ hash: sent.txHash });
    expect(tx.from.toLowerCase()).toBe(relayerAccount.address.toLowerCase());
    expect(sent.receipt.status).toBe("success");
    // One KMS signature per meta-transaction (the typed data), none for a transaction.
    expect(world.peers.kms.calls().Sign).toBe(1);
    const request = world.standIn.received.find((entry) => entry.path === "/api/v2/meta-tx/native");
    expect(request).toMatchObject({
      apiKey: relayerApiKey,
      body: { to: world.fixture.diamond, from: world.clients.account.address, apiId: relayerApiId },
    });
    expect(request?.body?.params[1]).toBe("withdrawFunds(uint256,address[],uint256[])");
    expect(relayerCalls()[0]).toMatchObject({ outcome: "ok", txHash: sent.txHash, details: { path: "relayer" } });
    expect(world.output.metricValues("MetaTxRelayed")).toEqual([1]);
    // The key went to the relayer, never to the logs.
    expect(JSON.stringify(world.output.lines())).not.toContain(relayerApiKey);
  });

  it("follows the relayer's resubmission to the hash that mined", async () => {
    world.standIn.mode = "resubmit";
    const sent = await withdrawSmall(relayer());
    expect(sent.path).toBe("relayer");
    expect(sent.txHash).toBe(world.standIn.resubmittedAs);
    const record = world.output.toolCalls().find((call) => call.tool === "relayer" && call.operation === "resubmitted");
    expect(record).toMatchObject({
      txHash: world.standIn.resubmittedAs,
      details: { previousHash: `0x${"ab".repeat(32)}` },
    });
  });

  it.each([
    ["down", "relayer-down"],
    ["429", "http-429"],
    ["refuse", "rejected"],
  ] as const)(
    "relayer %s: the assistant submits the same meta-transaction itself (reason %s)",
    async (fault, reason) => {
      world.standIn.mode = fault;
      const sent = await withdrawSmall(relayer());
      expect(sent).toMatchObject({ path: "direct", fallbackReason: reason });
      const tx = await world.fixture.publicClient.getTransaction({ hash: sent.txHash });
      expect(tx.from.toLowerCase()).toBe(world.clients.account.address.toLowerCase());
      // The assistant's transaction is executeMetaTransaction carrying the signed meta-transaction, not a plain withdrawFunds.
      expect(tx.input.slice(0, 10)).toBe(
        toFunctionSelector(getAbiItem({ abi: metaTransactionsAbi, name: "executeMetaTransaction" })),
      );
      expect(relayerCalls()[0]).toMatchObject({
        outcome: "transient",
        details: { path: "direct", fallbackReason: reason },
      });
      expect(world.output.metricValues("MetaTxFallback")).toEqual([1]);
    },
  );

  it("falls back when the relayer does not answer within the timeout", async () => {
    world.standIn.mode = "hang";
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
        clients: world.clients,
        diamond: world.fixture.diamond,
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
      const tx = await world.fixture.publicClient.getTransaction({ hash: sent.txHash });
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
    const { input } = await world.fixture.publicClient.getTransaction({ hash: first.txHash });
    const replay = await sendCalldata(
      { functionName: "executeMetaTransaction", data: input },
      {
        clients: world.clients,
        diamond: world.fixture.diamond,
        logger: createJobLogger("withdraw"),
        requestId: "replay",
        confirmations: 1,
      },
    ).catch((error: unknown) => error);
    expect(replay).toBeInstanceOf(ProtocolRevertError);
    expect((replay as ProtocolRevertError).revert.errorName).toBe("NonceUsedAlready");
    expect(
      world.output.toolCalls().find((call) => call.operation === "simulate.executeMetaTransaction")?.error,
    ).toMatchObject({ errorName: "NonceUsedAlready" });
  });

  it("a write resumed under the same idempotency key (its run stopped after the relayer took it) completes with the hash that executed it, once", async () => {
    const first = await withdrawSmall(relayer(), { idempotencyKey: "resumed-write" });
    const treasury = await world.fixture.publicClient.getBalance({ address: world.seller.treasury });
    world.standIn.reset();
    const resumed = await withdrawSmall(relayer(), { idempotencyKey: "resumed-write" });
    expect(resumed).toMatchObject({ txHash: first.txHash, path: "relayer", gasSpentWei: 0n });
    expect(await world.fixture.publicClient.getBalance({ address: world.seller.treasury })).toBe(treasury);
    expect(world.standIn.received.filter((entry) => entry.path === "/api/v2/meta-tx/native")).toEqual([]);
    // The protocol's refusal is in the log, decoded, next to the execution it was traced to.
    expect(
      world.output
        .toolCalls()
        .filter((call) => call.operation === "simulate.meta.withdrawFunds" && call.outcome === "failed")[0]?.error,
    ).toMatchObject({ errorName: "NonceUsedAlready" });
    expect(
      world.output.toolCalls().find((call) => call.operation === "executeMetaTransaction.alreadyExecuted"),
    ).toMatchObject({ txHash: first.txHash, details: { stage: "resume", foundBy: "event", path: "relayer" } });
  });
});
