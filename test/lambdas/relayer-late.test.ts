/**
 * A relayer that mines the meta-transaction late (O4): after the relayer's
 * timeout the assistant submits the same signed meta-transaction itself, and
 * the relayer's copy lands first in the same block. The protocol's nonce lets
 * only one execute; the write completes with the hash that executed it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseEther, type Hex } from "viem";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { createIdempotentRunner } from "../../lambdas/shared/stores/idempotency";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import { relayerAccount, useRelayerWorld } from "../harness/relayer-world";

const world = useRelayerWorld();
const { relayer, withdrawSmall } = world;

describe("the relayer mines the meta-transaction after the assistant's own submission was sent", () => {
  let dynalite: Dynalite;
  beforeAll(async () => {
    dynalite = await startDynalite();
  });
  afterAll(async () => {
    await dynalite?.stop();
  });
  beforeEach(async () => {
    await world.fixture.testClient.setAutomine(false);
  });
  afterEach(async () => {
    await world.fixture.testClient.setAutomine(true);
    await world.fixture.testClient.mine({ blocks: 1 });
  });

  /** A block per poll; once the assistant's own transaction is pending, the relayer's goes into the same block, first. */
  const sleep = async () => {
    const [pending, latest] = await Promise.all(
      (["pending", "latest"] as const).map((blockTag) =>
        world.fixture.publicClient.getTransactionCount({ address: world.clients.account.address, blockTag }),
      ),
    );
    const held = (pending ?? 0) > (latest ?? 0) ? world.standIn.takeHeld() : undefined;
    if (held) await world.fixture.publicClient.sendRawTransaction({ serializedTransaction: held });
    await world.fixture.testClient.mine({ blocks: 1 });
  };

  it.each([
    ["late", "relayer-hash"],
    ["silent", "event"],
  ] as const)(
    "relayer %s: completed with the relayer's hash (found by %s), the idempotency record keeps it, the log holds both hashes",
    async (fault, foundBy) => {
      world.standIn.mode = fault;
      const table = `late-${fault}`;
      await dynalite.createTable(table);
      const logger = createJobLogger("withdraw");
      const idempotent = createIdempotentRunner({
        tableName: table,
        client: dynalite.newClient(),
        logger,
        keyPrefix: "withdraw.test",
      });
      const treasuryBefore = await world.fixture.publicClient.getBalance({ address: world.seller.treasury });
      const key = { sellerId: world.seller.sellerId.toString(), window: fault };
      const write = async () => {
        const sent = await withdrawSmall(relayer({ timeoutMs: 300 }), { idempotencyKey: `late-${fault}`, sleep });
        return { txHash: sent.txHash, path: sent.path, fallbackReason: sent.fallbackReason ?? "none" };
      };

      const first = await idempotent("withdraw", key, write);

      expect(first.status).toBe("executed");
      if (first.status === "in-progress") return;
      expect(first.result).toMatchObject({ path: "relayer", fallbackReason: "timeout" });
      const executing = await world.fixture.publicClient.getTransaction({ hash: first.result.txHash as Hex });
      expect(executing.from.toLowerCase()).toBe(relayerAccount.address.toLowerCase());
      const record = world.output
        .toolCalls()
        .find((call) => call.operation === "executeMetaTransaction.alreadyExecuted");
      expect(record).toMatchObject({
        tool: "relayer",
        outcome: "ok",
        txHash: first.result.txHash,
        details: { path: "relayer", foundBy, executedBy: relayerAccount.address },
      });
      // The assistant's own executeMetaTransaction was mined too, and reverted on the used nonce.
      const revertedHash = (record?.details as { revertedHash?: Hex }).revertedHash as Hex;
      const reverted = await world.fixture.publicClient.getTransactionReceipt({ hash: revertedHash });
      expect(reverted.status).toBe("reverted");
      expect(reverted.from.toLowerCase()).toBe(world.clients.account.address.toLowerCase());
      expect(
        world.output
          .toolCalls()
          .some((call) => call.operation === "eth_sendRawTransaction" && call.txHash === revertedHash),
      ).toBe(true);
      // Executed once: the treasury got the amount once.
      expect((await world.fixture.publicClient.getBalance({ address: world.seller.treasury })) - treasuryBefore).toBe(
        parseEther("0.01"),
      );
      // The record completed with the executing hash: the next run gets it back and sends nothing.
      const again = await idempotent("withdraw", key, () => Promise.reject(new Error("must not run again")));
      expect(again).toEqual({ status: "replayed", result: first.result });
    },
  );
});
