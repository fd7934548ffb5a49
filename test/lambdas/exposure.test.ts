import { zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { computeExposure, type ExposureFacts } from "../../lambdas/watcher/exposure";
import { toFiat, type PriceQuote } from "../../lambdas/shared/chain/price-feed";

const quote: PriceQuote = {
  answer: 2_500_00000000n,
  decimals: 8,
  roundId: 7n,
  updatedAt: 1_700_000_000n,
  currency: "USD",
  feed: zeroAddress,
};
const base: ExposureFacts = {
  exchangeToken: zeroAddress,
  offerProtocolFee: 10n ** 15n,
  offerAgentFee: 0n,
  offerDisputeResolverFee: 2n * 10n ** 15n,
  protocolFeesCollected: [],
  disputeResolverFeesRequested: [],
  gasWeiByTx: {},
};

describe("exposure (M4)", () => {
  it("converts wei to fiat exactly, rounding down", () => {
    expect(toFiat(10n ** 18n, quote)).toEqual({ text: "2500.000000", value: 2500 });
    expect(toFiat(1n, quote).text).toBe("0.000000");
    expect(toFiat(123_456_789_000_000n, quote, 4).text).toBe("0.3086");
  });

  it("takes the offer's fees until the protocol's fee events are seen, then the events", () => {
    const fromOffer = computeExposure(base);
    expect(fromOffer).toMatchObject({
      protocolFee: 10n ** 15n,
      disputeResolverFee: 2n * 10n ** 15n,
      protocolFeeSource: "offer",
    });
    const fromEvents = computeExposure({
      ...base,
      protocolFeesCollected: [4n * 10n ** 14n],
      disputeResolverFeesRequested: [5n, 6n],
    });
    expect(fromEvents).toMatchObject({
      protocolFee: 4n * 10n ** 14n,
      disputeResolverFee: 11n,
      protocolFeeSource: "event",
      disputeResolverFeeSource: "event",
    });
    expect(fromEvents.totalFees).toBe(4n * 10n ** 14n + 11n);
  });

  it("sums the gas of the kit's transactions and prices gas and native fees", () => {
    const exposure = computeExposure({ ...base, gasWeiByTx: { "0xa": 2n * 10n ** 14n, "0xb": 10n ** 14n } }, quote);
    expect(exposure.gasWei).toBe(3n * 10n ** 14n);
    expect(exposure.kitTransactions).toBe(2);
    expect(exposure.fiat).toMatchObject({
      currency: "USD",
      gas: "0.750000",
      fees: "7.500000",
      total: "8.250000",
      totalValue: 8.25,
    });
  });

  it("does not price fees in a token the feed does not quote", () => {
    const exposure = computeExposure(
      { ...base, exchangeToken: "0x00000000000000000000000000000000000000aa", gasWeiByTx: { "0xa": 4n * 10n ** 14n } },
      quote,
    );
    expect(exposure.fiat?.fees).toBeUndefined();
    expect(exposure.fiat?.total).toBe("1.000000");
  });
});
