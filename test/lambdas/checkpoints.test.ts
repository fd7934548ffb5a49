import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointConflictError, createCheckpointStore } from "../../lambdas/shared/stores/checkpoints";
import { startDynalite, type Dynalite } from "../harness/dynalite";

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite(["checkpoints"]);
});
afterAll(async () => {
  await db?.stop();
});

describe("checkpoints", () => {
  it("starts empty, then moves forward only from the value it was read at", async () => {
    const store = createCheckpointStore(db.documents, "checkpoints", () => new Date(0));
    expect(await store.read("w1")).toBeUndefined();
    await store.advance("w1", undefined, 10n, "0xhash10");
    expect(await store.read("w1")).toEqual({
      lastBlock: 10n,
      blockHash: "0xhash10",
      updatedAt: new Date(0).toISOString(),
    });
    await store.advance("w1", 10n, 25n);
    expect((await store.read("w1"))?.lastBlock).toBe(25n);
  });

  it("rejects a stale writer (another run moved it) and a first write over an existing one", async () => {
    const store = createCheckpointStore(db.documents, "checkpoints");
    await store.advance("w2", undefined, 5n);
    await store.advance("w2", 5n, 9n);
    await expect(store.advance("w2", 5n, 12n)).rejects.toBeInstanceOf(CheckpointConflictError);
    await expect(store.advance("w2", undefined, 12n)).rejects.toBeInstanceOf(CheckpointConflictError);
    expect((await store.read("w2"))?.lastBlock).toBe(9n);
  });

  it("never moves backwards", async () => {
    const store = createCheckpointStore(db.documents, "checkpoints");
    await store.advance("w3", undefined, 50n);
    await expect(store.advance("w3", 50n, 49n)).rejects.toThrow(/cannot move back/);
    expect((await store.read("w3"))?.lastBlock).toBe(50n);
  });
});
