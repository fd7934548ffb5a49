/**
 * The watcher's business counters against a full scan: after random exchange
 * histories applied with duplicates, crashed-and-replayed ranges and two
 * overlapping runs, the counters in dynalite give the same figures as
 * scanning every exchange the way the subgraph keeps them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chainPosition,
  createBusinessTally,
  emptyCounters,
  metricsFromTally,
  tallyIncrements,
  type TallyEvent,
} from "../../lambdas/shared/stores/business-tally";
import { applyExchangeEvent, fullScanMetrics, type SubgraphExchangeEntity } from "../harness/exchange-entities";
import { startDynalite, type Dynalite } from "../harness/dynalite";

let db: Dynalite;
let tableCount = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.stop();
});

/** Small seeded PRNG (mulberry32), so a failing seed can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const disputeEnds = [
  "DisputeRetracted",
  "DisputeResolved",
  "DisputeDecided",
  "DisputeExpired",
  "EscalatedDisputeExpired",
  "EscalatedDisputeRefused",
];

/** One exchange's lifecycle, a valid path through the protocol's state machine. */
function lifecycle(next: () => number): string[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const path = [pick(["BuyerCommitted", "SellerCommitted"])];
  const roll = next();
  if (roll < 0.15) return path;
  if (roll < 0.35) return [...path, pick(["VoucherCanceled", "VoucherRevoked", "VoucherExpired"])];
  path.push(...(next() < 0.3 ? ["VoucherExtended"] : []), "VoucherRedeemed");
  const after = next();
  if (after < 0.2) return path;
  if (after < 0.6) return [...path, "ExchangeCompleted"];
  path.push("DisputeRaised");
  if (next() < 0.3) return path;
  if (next() < 0.4) path.push("DisputeEscalated");
  return [...path, pick(disputeEnds)];
}

/** Interleaves the exchanges' lifecycles into one chain history with increasing blocks, log indexes and times. */
function history(seed: number): TallyEvent[] {
  const next = random(seed);
  const pending = Array.from({ length: 1 + Math.floor(next() * 30) }, (_, index) => ({
    exchangeId: String(index + 1),
    steps: lifecycle(next),
  }));
  const events: TallyEvent[] = [];
  let block = 100n;
  let logIndex = 0;
  let time = 1_700_000_000;
  while (pending.some((exchange) => exchange.steps.length > 0)) {
    const open = pending.filter((exchange) => exchange.steps.length > 0);
    const exchange = open[Math.floor(next() * open.length)];
    if (exchange === undefined) break;
    if (next() < 0.6) {
      block += 1n + BigInt(Math.floor(next() * 5));
      logIndex = 0;
      time += 12 + Math.floor(next() * 7200);
    }
    events.push({
      eventName: exchange.steps.shift() ?? "",
      exchangeId: exchange.exchangeId,
      blockNumber: block,
      logIndex: logIndex++,
      blockTimestamp: time,
    });
  }
  return events;
}

function fullScan(events: readonly TallyEvent[]) {
  const entities = new Map<string, SubgraphExchangeEntity>();
  for (const event of events)
    applyExchangeEvent(entities, {
      eventName: event.eventName,
      exchangeId: event.exchangeId,
      timestamp: event.blockTimestamp,
    });
  return fullScanMetrics([...entities.values()]);
}

async function freshTally() {
  const table = `tally-${++tableCount}`;
  await db.createTable(table);
  return createBusinessTally(db.documents, table, 7n);
}

/** One watcher run's way of applying: in order, each event sometimes twice, crashing at random and resuming from an earlier checkpoint. */
async function applyWithReplays(
  tally: Awaited<ReturnType<typeof freshTally>>,
  events: readonly TallyEvent[],
  seed: number,
): Promise<void> {
  const next = random(seed * 7 + 1);
  let checkpoint = 0;
  while (checkpoint < events.length) {
    const rangeEnd = Math.min(events.length, checkpoint + 1 + Math.floor(next() * 8));
    const crashAt = next() < 0.3 ? checkpoint + Math.floor(next() * (rangeEnd - checkpoint)) : rangeEnd;
    for (let index = checkpoint; index < crashAt; index++) {
      const event = events[index];
      if (event === undefined) continue;
      await tally.apply(event);
      if (next() < 0.2) expect(await tally.apply(event)).not.toBe("applied");
    }
    if (crashAt === rangeEnd) checkpoint = rangeEnd; // else: the checkpoint did not move, the next run repeats the range
  }
}

describe("business counters", () => {
  it("give the full scan's figures after random histories with duplicates and replays", async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const events = history(seed);
      const tally = await freshTally();
      await applyWithReplays(tally, events, seed);
      const snapshot = await tally.read();
      expect(metricsFromTally(snapshot?.counters ?? emptyCounters()), `seed ${seed}`).toEqual(fullScan(events));
    }
  });

  it("give the full scan's figures when two runs apply the same history at once", async () => {
    for (let seed = 21; seed <= 24; seed++) {
      const events = history(seed);
      const tally = await freshTally();
      await Promise.all([applyWithReplays(tally, events, seed), applyWithReplays(tally, events, seed + 100)]);
      expect(metricsFromTally((await tally.read())?.counters ?? emptyCounters()), `seed ${seed}`).toEqual(
        fullScan(events),
      );
    }
  });

  it("count a history that has open, completed, cancelled and disputed exchanges (the generator covers each)", () => {
    const names = new Set(
      Array.from({ length: 8 }, (_, index) => history(index + 1))
        .flat()
        .map((event) => event.eventName),
    );
    for (const name of [
      "ExchangeCompleted",
      "VoucherRevoked",
      "VoucherCanceled",
      "VoucherExpired",
      "DisputeRaised",
      "DisputeEscalated",
      "DisputeDecided",
      "SellerCommitted",
    ]) {
      expect(names.has(name), name).toBe(true);
    }
  });

  it("refuse an event at or before the last one applied, and ignore events that move no figure", async () => {
    const tally = await freshTally();
    const commit: TallyEvent = {
      eventName: "BuyerCommitted",
      exchangeId: "1",
      blockNumber: 10n,
      logIndex: 3,
      blockTimestamp: 1000,
    };
    expect(await tally.apply(commit)).toBe("applied");
    expect(await tally.apply({ ...commit, exchangeId: "2", logIndex: 2 })).toBe("duplicate");
    expect(await tally.apply({ ...commit, eventName: "VoucherExtended", blockNumber: 11n })).toBe("ignored");
    expect(
      await tally.apply({ ...commit, eventName: "ExchangeCompleted", blockNumber: 12n, blockTimestamp: 1600 }),
    ).toBe("applied");
    // A completion whose commit came before the watcher started counts, without a duration.
    expect(
      await tally.apply({
        ...commit,
        exchangeId: "9",
        eventName: "ExchangeCompleted",
        blockNumber: 13n,
        blockTimestamp: 5000,
      }),
    ).toBe("applied");
    const snapshot = await tally.read();
    expect(snapshot).toEqual({
      counters: {
        committed: 1,
        redeemed: 0,
        disputed: 0,
        finalized: 2,
        completed: 2,
        timedCompletions: 1,
        completionSecondsSum: 600,
      },
      appliedThrough: chainPosition(13n, 3),
    });
    expect(tallyIncrements("DisputeEscalated")).toEqual({});
  });

  it("order positions by block, then log index, past 2^53", () => {
    expect(chainPosition(9n, 10) < chainPosition(10n, 0)).toBe(true);
    expect(chainPosition(10n, 9) < chainPosition(10n, 10)).toBe(true);
    expect(chainPosition(2n ** 60n, 0) > chainPosition(2n ** 53n + 1n, 99)).toBe(true);
  });
});
