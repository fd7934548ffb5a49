/**
 * Idempotency (O1) through Powertools on dynalite: one execution per key,
 * concurrent callers see in-progress, later callers the stored result, a
 * failure releases the key, and keys are scoped per job and action.
 */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createIdempotentRunner, type IdempotentRunner } from "../../lambdas/shared/stores/idempotency";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { startDynalite, type Dynalite } from "../harness/dynalite";
import { captureStdout, type CapturedOutput } from "../harness/job-output";

let dynalite: Dynalite;
let output: CapturedOutput;
let tables = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite?.stop();
});
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => output.restore());

async function runner(keyPrefix = "smoke.test"): Promise<IdempotentRunner> {
  const table = `idem-${++tables}`;
  await dynalite.createTable(table);
  return createIdempotentRunner({
    tableName: table,
    client: dynalite.newClient(),
    logger: createJobLogger("smoke"),
    keyPrefix,
  });
}

describe("idempotent writes", () => {
  it("runs an exchange action once per (exchangeId, target state)", async () => {
    const idempotent = await runner();
    let calls = 0;
    const action = async () => ({ txHash: `0x${String(++calls).padStart(64, "0")}` });
    let release: () => void = () => undefined;
    const slow = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return action();
    };
    const first = idempotent("redeemVoucher", { exchangeId: "7", targetState: "REDEEMED" }, slow);
    // Wait until the first call holds the key (its INPROGRESS record is in the table).
    for (
      let tries = 0;
      tries < 200 && (await dynalite.documents.send(new ScanCommand({ TableName: `idem-${tables}` }))).Count === 0;
      tries++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const concurrent = await idempotent("redeemVoucher", { exchangeId: "7", targetState: "REDEEMED" }, action);
    expect(concurrent).toEqual({ status: "in-progress" });
    release();
    expect(await first).toEqual({ status: "executed", result: { txHash: `0x${"1".padStart(64, "0")}` } });
    expect(await idempotent("redeemVoucher", { exchangeId: "7", targetState: "REDEEMED" }, action)).toEqual({
      status: "replayed",
      result: { txHash: `0x${"1".padStart(64, "0")}` },
    });
    // Another target state, or another exchange, is another key.
    expect((await idempotent("completeExchange", { exchangeId: "7", targetState: "COMPLETED" }, action)).status).toBe(
      "executed",
    );
    expect((await idempotent("redeemVoucher", { exchangeId: "8", targetState: "REDEEMED" }, action)).status).toBe(
      "executed",
    );
    expect(calls).toBe(3);
    expect(
      output
        .toolCalls()
        .filter((call) => call.tool === "dynamodb")
        .map((call) => call.details?.status),
    ).toEqual(["in-progress", "executed", "replayed", "executed", "executed"]);
  });

  it("releases the key when the action fails, so the next run retries", async () => {
    const idempotent = await runner();
    await expect(
      idempotent("withdrawFunds", { sellerId: "3", tokens: ["0x0"], window: 1 }, () =>
        Promise.reject(new Error("reorged")),
      ),
    ).rejects.toThrow("reorged");
    expect(
      await idempotent("withdrawFunds", { sellerId: "3", tokens: ["0x0"], window: 1 }, async () => ({ ok: true })),
    ).toEqual({ status: "executed", result: { ok: true } });
  });

  it("does not share keys between jobs using the same table", async () => {
    const table = `idem-${++tables}`;
    await dynalite.createTable(table);
    const client = dynalite.newClient();
    const smoke = createIdempotentRunner({
      tableName: table,
      client,
      logger: createJobLogger("smoke"),
      keyPrefix: "smoke.local-1-0",
    });
    const withdraw = createIdempotentRunner({
      tableName: table,
      client,
      logger: createJobLogger("withdraw"),
      keyPrefix: "withdraw.local-1-0",
    });
    const key = { exchangeId: "1", targetState: "X" };
    expect((await smoke("a", key, async () => ({ by: "smoke" }))).status).toBe("executed");
    expect(await withdraw("a", key, async () => ({ by: "withdraw" }))).toEqual({
      status: "executed",
      result: { by: "withdraw" },
    });
  });
});
