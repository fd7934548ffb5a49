import type { Logger } from "@aws-lambda-powertools/logger";
import type { Address, Hex, PublicClient } from "viem";
import { metricNames } from "../contract";
import { readPrice, type PriceQuote } from "../shared/chain/price-feed";
import { withToolCall } from "../shared/runtime/logger";
import type { JobMetrics } from "../shared/runtime/metrics";
import type { ExchangeOwner } from "./exchange-directory";
import { addressArg, type DecodedEvent } from "./events";
import { computeExposure } from "./exposure";
import type { SellerRecords, StoredExposure } from "./seller-records";

/**
 * Keeps each of the seller's exchanges' exposure (M4) up to date: the gas of
 * the kit's own transactions for it, and the exposure computed from the facts
 * stored so far. Receipts and the price quote are cached for one run; create
 * one tracker per run.
 */

export type ExposureTrackerDeps = {
  client: Pick<PublicClient, "getTransactionReceipt" | "readContract">;
  records: SellerRecords;
  logger: Logger;
  metrics: Pick<JobMetrics, "add">;
  /** The kit's own signing addresses: only their transactions' gas counts. */
  kitAddresses: readonly Address[];
  priceFeed?: { address: Address; currency: string };
  now: () => Date;
};

export interface ExposureTracker {
  /** Records the gas of the event's transaction when the kit sent it; the wei newly recorded (0n otherwise). */
  attributeGas(event: DecodedEvent, owner: ExchangeOwner): Promise<bigint>;
  /** Recomputes and stores the exchange's exposure; undefined when the exchange has no record. */
  update(owner: ExchangeOwner): Promise<StoredExposure | undefined>;
}

export function createExposureTracker(deps: ExposureTrackerDeps): ExposureTracker {
  const { client, records, logger, metrics } = deps;
  const kit = new Set(deps.kitAddresses.map((address) => address.toLowerCase()));
  const receipts = new Map<Hex, Promise<{ from: string; gasWei: bigint }>>();
  let quote: Promise<PriceQuote | undefined> | undefined;

  function receipt(txHash: Hex): Promise<{ from: string; gasWei: bigint }> {
    let pending = receipts.get(txHash);
    if (pending === undefined) {
      pending = withToolCall(logger, { tool: "rpc", operation: "getTransactionReceipt", txHash }, async () => {
        const found = await client.getTransactionReceipt({ hash: txHash });
        const l1Fee = (found as { l1Fee?: bigint | null }).l1Fee ?? 0n; // OP-stack receipts carry the L1 data fee
        return { from: found.from.toLowerCase(), gasWei: found.gasUsed * found.effectiveGasPrice + l1Fee };
      });
      receipts.set(txHash, pending);
    }
    return pending;
  }

  function priceQuote(): Promise<PriceQuote | undefined> {
    const feed = deps.priceFeed;
    if (feed === undefined) return Promise.resolve(undefined);
    quote ??= withToolCall(logger, { tool: "rpc", operation: "latestRoundData" }, () =>
      readPrice(client, feed.address, feed.currency),
    ).catch(
      () => undefined, // logged by withToolCall; exposure is then stored without its fiat value, the run goes on
    );
    return quote;
  }

  return {
    async attributeGas(event, owner) {
      const executedBy = addressArg(event.args, "executedBy");
      if (executedBy === undefined || !kit.has(executedBy.toLowerCase())) return 0n;
      const { from, gasWei } = await receipt(event.log.transactionHash);
      if (!kit.has(from)) return 0n; // relayed (meta-transaction): the relayer paid
      if (!(await records.addGas(owner.exchangeId, event.log.transactionHash, gasWei))) return 0n;
      metrics.add(metricNames.gasSpentWei, Number(gasWei));
      return gasWei;
    },

    async update(owner) {
      const exchange = await records.getExchange(owner.exchangeId);
      if (exchange === undefined) return undefined;
      const facts = Object.values(exchange.feeEvents);
      const exposure = computeExposure(
        {
          exchangeToken: owner.offer.exchangeToken,
          offerProtocolFee: BigInt(owner.offer.protocolFee),
          offerAgentFee: BigInt(owner.offer.agentFee),
          offerDisputeResolverFee: BigInt(owner.offer.disputeResolverFee),
          protocolFeesCollected: facts.filter((fact) => fact.kind === "protocol").map((fact) => BigInt(fact.amount)),
          disputeResolverFeesRequested: facts
            .filter((fact) => fact.kind === "dispute-resolver")
            .map((fact) => BigInt(fact.amount)),
          gasWeiByTx: Object.fromEntries(Object.entries(exchange.gasByTx).map(([tx, wei]) => [tx, BigInt(wei)])),
        },
        await priceQuote(),
      );
      const stored: StoredExposure = {
        protocolFee: exposure.protocolFee.toString(),
        agentFee: exposure.agentFee.toString(),
        disputeResolverFee: exposure.disputeResolverFee.toString(),
        totalFees: exposure.totalFees.toString(),
        protocolFeeSource: exposure.protocolFeeSource,
        disputeResolverFeeSource: exposure.disputeResolverFeeSource,
        gasWei: exposure.gasWei.toString(),
        kitTransactions: exposure.kitTransactions,
        ...(exposure.fiat !== undefined ? { fiat: exposure.fiat } : {}),
        computedAt: deps.now().toISOString(),
      };
      await records.setExposure(owner.exchangeId, stored);
      if (exposure.fiat !== undefined) metrics.add(metricNames.exchangeCostFiat, exposure.fiat.totalValue);
      return stored;
    },
  };
}
