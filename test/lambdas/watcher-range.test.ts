import { encodeEventTopics, type Hex, type PublicClient } from "viem";
import { describe, expect, it } from "vitest";
import { emptyTally, type ProcessedEvent } from "../../lambdas/watcher/event-processing";
import type { ExchangeOwner } from "../../lambdas/watcher/exchange-directory";
import { watchedEventsAbi, type DecodedEvent } from "../../lambdas/watcher/events";
import { disputesOpenOverOneDay, watchRange } from "../../lambdas/watcher/watcher";
import { baseConfig, recordMetrics } from "../fixtures/watcher/watcher-env";
import { memorySellerRecords, offer, silentLogger } from "../harness/watcher-fakes";

const diamond = "0x00000000000000000000000000000000000000d1";
const kit = "0x00000000000000000000000000000000000000aa";
const config = baseConfig(diamond, 7n);

function redeemedLog(exchangeId: bigint, blockNumber: bigint, logIndex: number) {
  const topics = encodeEventTopics({
    abi: watchedEventsAbi,
    eventName: "VoucherRedeemed",
    args: { offerId: 1n, exchangeId, executedBy: kit },
  });
  return {
    address: diamond,
    topics: topics as Hex[],
    data: "0x" as Hex,
    blockNumber,
    logIndex,
    blockHash: `0x${"b".repeat(64)}` as Hex,
    transactionHash: `0x${"e".repeat(64)}` as Hex,
    transactionIndex: 0,
    removed: false,
  };
}

/** A log with a watched topic whose data does not decode. */
const garbledLog = { ...redeemedLog(1n, 5n, 9), topics: [redeemedLog(1n, 5n, 9).topics[0] as Hex] };

describe("one range of the watcher", () => {
  it("processes the range's logs in chain order, counts undecodable ones, sums the counts and updates each touched exchange once", async () => {
    const requested: unknown[] = [];
    const client = {
      getLogs: async (request: unknown) => {
        requested.push(request);
        return [redeemedLog(12n, 6n, 0), garbledLog, redeemedLog(11n, 5n, 3), redeemedLog(11n, 5n, 1)];
      },
    } as unknown as PublicClient;
    const seen: string[] = [];
    const process = async (event: DecodedEvent): Promise<ProcessedEvent> => {
      const exchangeId = event.args.exchangeId as bigint;
      seen.push(`${event.log.blockNumber}/${event.log.logIndex}`);
      return { tally: { ...emptyTally(), stored: 1 }, owner: { exchangeId, offer: offer(1n, 7n) } };
    };
    const updated: bigint[] = [];
    const exposure = { update: async (owner: ExchangeOwner) => (updated.push(owner.exchangeId), undefined) };

    const range = await watchRange({ client, logger: silentLogger(), config }, { process, exposure }, 5n, 6n);

    expect(requested).toEqual([
      expect.objectContaining({ address: diamond, fromBlock: 5n, toBlock: 6n, strict: false }),
    ]);
    expect(seen).toEqual(["5/1", "5/3", "6/0"]);
    expect(range).toEqual({ logs: 4, tally: { ...emptyTally(), stored: 3 } });
    expect(updated).toEqual([11n, 12n]);
  });
});

describe("disputes open for more than a day", () => {
  it("lists the seller's disputes raised more than a day of chain time before the head, sorted, and always emits the count", async () => {
    const records = memorySellerRecords();
    const head = { timestamp: 1_700_200_000n };
    await records.openDispute(7n, 20n, 1_700_200_000 - 90_000);
    await records.openDispute(7n, 3n, 1_700_200_000 - 86_401);
    await records.openDispute(7n, 4n, 1_700_200_000 - 86_400);
    const metrics = recordMetrics();
    expect(await disputesOpenOverOneDay({ records, logger: silentLogger(), metrics, config }, head)).toEqual([
      "3",
      "20",
    ]);
    expect(metrics.values("DisputesOpenOverOneDay")).toEqual([2]);

    const none = recordMetrics();
    expect(
      await disputesOpenOverOneDay(
        { records: memorySellerRecords(), logger: silentLogger(), metrics: none, config },
        head,
      ),
    ).toEqual([]);
    expect(none.values("DisputesOpenOverOneDay")).toEqual([0]);
  });
});
