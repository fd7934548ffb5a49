import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainEventId, createEventStore, type ChainEventRecord } from "../../lambdas/shared/stores/events";
import { startDynalite, type Dynalite } from "../harness/dynalite";

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite(["events"]);
});
afterAll(async () => {
  await db?.stop();
});

function event(txHash: string, logIndex: number, overrides: Partial<ChainEventRecord> = {}): ChainEventRecord {
  return {
    id: chainEventId(txHash, logIndex),
    recordType: "chain-event",
    eventName: "VoucherRedeemed",
    blockNumber: "12",
    blockHash: `0x${"b".repeat(64)}`,
    txHash,
    logIndex,
    blockTimestamp: 1_700_000_000,
    exchangeId: "7",
    args: { offerId: "3", exchangeId: "7" },
    storedAt: new Date(0).toISOString(),
    ...overrides,
  };
}

describe("event store", () => {
  it("stores an event once per txHash#logIndex, whatever the second write holds", async () => {
    const store = createEventStore(db.documents, "events");
    const tx = `0x${"a".repeat(64)}`;
    expect(await store.putOnce(event(tx, 0))).toBe("stored");
    expect(await store.putOnce(event(tx, 0, { eventName: "Overwritten" }))).toBe("duplicate");
    expect((await store.get(chainEventId(tx, 0)))?.eventName).toBe("VoucherRedeemed");
    // Same transaction, another log: a different event.
    expect(await store.putOnce(event(tx, 1))).toBe("stored");
  });

  it("keys are case-insensitive in the tx hash", () => {
    expect(chainEventId(`0x${"AB".repeat(32)}`, 4)).toBe(`0x${"ab".repeat(32)}#4`);
  });

  it("records delivery state and lists dead letters with their payload", async () => {
    const store = createEventStore(db.documents, "events");
    const tx = `0x${"c".repeat(64)}`;
    await store.putOnce(event(tx, 2, { delivery: { status: "pending", endpoints: {} } }));
    await store.recordDelivery(chainEventId(tx, 2), {
      status: "dead-lettered",
      endpoints: { e1: { status: "dead-lettered", attempts: 4, lastStatusCode: 500, at: new Date(0).toISOString() } },
    });
    const dead = await store.listDeadLettered();
    expect(dead.map((item) => item.id)).toEqual([chainEventId(tx, 2)]);
    expect(dead[0]?.args).toEqual({ offerId: "3", exchangeId: "7" });
    expect(dead[0]?.delivery?.endpoints.e1?.attempts).toBe(4);
  });

  it("refuses to record a delivery for an event it never stored", async () => {
    const store = createEventStore(db.documents, "events");
    await expect(store.recordDelivery("0xmissing#0", { status: "delivered", endpoints: {} })).rejects.toThrow();
  });
});
