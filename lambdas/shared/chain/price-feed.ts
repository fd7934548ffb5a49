import { parseAbi, type Address, type PublicClient } from "viem";

/**
 * A Chainlink-style price feed (AggregatorV3Interface): the price of the
 * chain's native coin in the configured fiat currency, for the exposure
 * figures (checklist M4). The feed's address comes from config (PRICE_FEED),
 * never from code.
 */
export const aggregatorV3Abi = parseAbi([
  "function decimals() view returns (uint8)",
  "function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
]);

export type PriceQuote = {
  /** Fiat per native coin, scaled by 10^decimals. */
  answer: bigint;
  decimals: number;
  roundId: bigint;
  /** Unix seconds of the round. */
  updatedAt: bigint;
  currency: string;
  feed: Address;
};

export class PriceFeedError extends Error {
  override name = "PriceFeedError";
}

/** Reads the latest round; a non-positive answer or an unfinished round is an error, not a price. */
export async function readPrice(
  client: Pick<PublicClient, "readContract">,
  feed: Address,
  currency: string,
): Promise<PriceQuote> {
  const [decimals, round] = await Promise.all([
    client.readContract({ address: feed, abi: aggregatorV3Abi, functionName: "decimals" }),
    client.readContract({ address: feed, abi: aggregatorV3Abi, functionName: "latestRoundData" }),
  ]);
  const [roundId, answer, , updatedAt] = round;
  if (answer <= 0n) throw new PriceFeedError(`price feed answered ${answer.toString()} (round ${roundId.toString()})`);
  if (updatedAt === 0n) throw new PriceFeedError(`price feed round ${roundId.toString()} is not complete`);
  return { answer, decimals, roundId, updatedAt, currency, feed };
}

/**
 * `amount` base units of an 18-decimal native coin in fiat, as a decimal
 * string with `precision` fraction digits (rounded down) and as a number for
 * metrics.
 */
export function toFiat(
  amount: bigint,
  quote: Pick<PriceQuote, "answer" | "decimals">,
  precision = 6,
  coinDecimals = 18,
): { text: string; value: number } {
  const scaled = (amount * quote.answer * 10n ** BigInt(precision)) / 10n ** BigInt(coinDecimals + quote.decimals);
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(precision + 1, "0");
  const text = `${negative ? "-" : ""}${digits.slice(0, digits.length - precision)}${precision > 0 ? `.${digits.slice(digits.length - precision)}` : ""}`;
  return { text, value: Number(text) };
}
