import type { Hex, PublicClient } from "viem";
import { describe, expect, it } from "vitest";
import type { ExchangeOwner } from "../../lambdas/watcher/exchange-directory";
import { createExposureTracker } from "../../lambdas/watcher/exposure-tracker";
import { recordMetrics } from "../fixtures/watcher/watcher-env";
import { decodedEvent, memorySellerRecords, offer, silentLogger } from "../harness/watcher-fakes";

const kit = "0x00000000000000000000000000000000000000aa";
const relayer = "0x00000000000000000000000000000000000000bb";
const owner: ExchangeOwner = {
  exchangeId: 10n,
  offer: offer(1n, 7n, { protocolFee: "10", agentFee: "2", disputeResolverFee: "5" }),
};

/** Receipts by transaction: sender and gas (gasUsed 21000 x 1 gwei, plus an OP-stack L1 fee on one). */
function chain(senders: Record<Hex, string>) {
  const receipts: Hex[] = [];
  const client = {
    getTransactionReceipt: async ({ hash }: { hash: Hex }) => {
      receipts.push(hash);
      return {
        from: senders[hash] ?? relayer,
        gasUsed: 21_000n,
        effectiveGasPrice: 1_000_000_000n,
        l1Fee: hash.endsWith("2") ? 7n : null,
      };
    },
    readContract: async () => {
      throw new Error("no price feed here");
    },
  } as unknown as Pick<PublicClient, "getTransactionReceipt" | "readContract">;
  return { client, receipts };
}

async function tracker(senders: Record<Hex, string>) {
  const records = memorySellerRecords();
  await records.ensureExchange({
    exchangeId: "10",
    offerId: "1",
    sellerId: "7",
    exchangeToken: owner.offer.exchangeToken,
  });
  const metrics = recordMetrics();
  const { client, receipts } = chain(senders);
  const exposure = createExposureTracker({
    client,
    records,
    logger: silentLogger(),
    metrics,
    kitAddresses: [kit],
    now: () => new Date("2026-01-01T00:00:00Z"),
  });
  return { exposure, records, metrics, receipts };
}

describe("exposure tracker", () => {
  it("attributes the gas of a transaction the kit sent, once, with the L1 fee, and reads each receipt once", async () => {
    const redeemed = decodedEvent("VoucherRedeemed", { exchangeId: 10n, executedBy: kit });
    const { exposure, records, metrics, receipts } = await tracker({ [redeemed.log.transactionHash]: kit });
    const expected = 21_000n * 1_000_000_000n + (redeemed.log.transactionHash.endsWith("2") ? 7n : 0n);
    expect(await exposure.attributeGas(redeemed, owner)).toBe(expected);
    expect(await exposure.attributeGas(redeemed, owner)).toBe(0n);
    expect(records.exchanges.get("10")?.gasByTx).toEqual({ [redeemed.log.transactionHash]: expected.toString() });
    expect(metrics.values("GasSpentWei")).toEqual([Number(expected)]);
    expect(receipts).toEqual([redeemed.log.transactionHash]);
  });

  it("attributes nothing when someone else executed it, or when a relayer paid for the kit's meta-transaction", async () => {
    const buyers = decodedEvent("VoucherRedeemed", {
      exchangeId: 10n,
      executedBy: "0x00000000000000000000000000000000000000cc",
    });
    const relayed = decodedEvent("VoucherRedeemed", { exchangeId: 10n, executedBy: kit });
    const { exposure, records, receipts } = await tracker({ [relayed.log.transactionHash]: relayer });
    expect(await exposure.attributeGas(buyers, owner)).toBe(0n);
    expect(await exposure.attributeGas(relayed, owner)).toBe(0n);
    expect(records.exchanges.get("10")?.gasByTx).toEqual({});
    expect(receipts).toEqual([relayed.log.transactionHash]);
  });

  it("stores the exposure from the offer's fees until fee events replace them, with the kit's gas", async () => {
    const redeemed = decodedEvent("VoucherRedeemed", { exchangeId: 10n, executedBy: kit });
    const { exposure, records } = await tracker({ [redeemed.log.transactionHash]: kit });
    const gas = await exposure.attributeGas(redeemed, owner);
    expect(await exposure.update(owner)).toMatchObject({
      protocolFee: "10",
      protocolFeeSource: "offer",
      disputeResolverFee: "5",
      gasWei: gas.toString(),
      kitTransactions: 1,
      computedAt: "2026-01-01T00:00:00.000Z",
    });
    await records.addFeeEvent(10n, "fee#1", { kind: "protocol", amount: "12" });
    const updated = await exposure.update(owner);
    expect(updated).toMatchObject({ protocolFee: "12", protocolFeeSource: "event" });
    expect(records.exchanges.get("10")?.exposure).toEqual(updated);
  });

  it("stores nothing for an exchange without a record", async () => {
    const { exposure } = await tracker({});
    expect(await exposure.update({ ...owner, exchangeId: 11n })).toBeUndefined();
  });
});
