/**
 * The per-token reserve the withdraw job leaves in the protocol (checklist
 * M1). Each commit to a seller-created offer draws the offer's seller deposit
 * and, when the offer's dispute resolution fee is self-funded (no
 * mutualizer), that fee from the seller's available funds (ExchangeCommitBase
 * `encumberFunds`, `handleDRFeeCollection`); when they are short the buyer's
 * commit reverts with InsufficientAvailableFunds. So the reserve is, per
 * exchange token, the sum over the seller's active offers of `quantity left x
 * (seller deposit + self-funded DR fee)`, plus the token's configured margin;
 * only the excess above it is withdrawn.
 *
 * The subgraph nominates the seller's non-voided offers (by cursor); the
 * amounts come from `getOffer` on chain.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { zeroAddress, type Address, type Chain, type PublicClient, type Transport } from "viem";
import { protocolAbi } from "../shared/chain/protocol";
import { querySubgraph, type SubgraphClient } from "../shared/chain/subgraph";
import { withToolCall } from "../shared/runtime/logger";

/** BosonTypes.OfferCreator.Seller: only seller-created offers draw the seller's funds at commit. */
const sellerCreated = 0;

export const sellerOffersQuery = `query SellerOffers($sellerId: String!, $cursor: ID!, $first: Int!) {
  offers(where: { seller: $sellerId, voided: false, id_gt: $cursor }, first: $first, orderBy: id, orderDirection: asc) { id }
}`;

/** Every non-voided offer id of the seller, paged by cursor. */
export async function sellerOfferIds(
  client: SubgraphClient,
  sellerId: string,
  requestId: string,
  pageSize = 500,
): Promise<string[]> {
  const ids: string[] = [];
  for (let cursor = ""; ;) {
    const data = await querySubgraph<{ offers: { id: string }[] }>(
      client,
      "sellerOffers",
      sellerOffersQuery,
      { sellerId, cursor, first: pageSize },
      { requestId },
    );
    ids.push(...data.offers.map((offer) => offer.id));
    const last = data.offers.at(-1);
    if (data.offers.length < pageSize || last === undefined) return ids;
    cursor = last.id;
  }
}

export type OfferNeed = { offerId: string; token: Address; needWei: bigint };

type OfferView = {
  exists: boolean;
  offer: {
    sellerId: bigint;
    sellerDeposit: bigint;
    quantityAvailable: bigint;
    exchangeToken: Address;
    creator: number;
    voided: boolean;
  };
  validUntil: bigint;
  terms: { feeAmount: bigint; mutualizerAddress: Address };
};

/** What one offer still needs from the seller's available funds; 0 when no commit can draw on them any more. */
export function offerNeed(offerId: string, view: OfferView, sellerId: bigint, nowSeconds: bigint): OfferNeed {
  const { offer, terms } = view;
  const token = offer.exchangeToken;
  const active =
    view.exists &&
    offer.sellerId === sellerId &&
    !offer.voided &&
    offer.creator === sellerCreated &&
    offer.quantityAvailable > 0n &&
    view.validUntil > nowSeconds;
  if (!active) return { offerId, token, needWei: 0n };
  const selfFundedFee = terms.mutualizerAddress === zeroAddress ? terms.feeAmount : 0n;
  return { offerId, token, needWei: offer.quantityAvailable * (offer.sellerDeposit + selfFundedFee) };
}

/** Reads each offer on chain and sums the needs per token (lower-cased address). */
export async function offerNeedsByToken(
  reader: { publicClient: PublicClient<Transport, Chain>; diamond: Address; logger: Logger },
  offerIds: readonly string[],
  sellerId: bigint,
  nowSeconds: bigint,
): Promise<Map<string, bigint>> {
  const needs = new Map<string, bigint>();
  for (const offerId of offerIds) {
    const [exists, offer, dates, , terms] = await withToolCall(
      reader.logger,
      { tool: "rpc", operation: "getOffer", requestId: `offer:${offerId}` },
      () =>
        reader.publicClient.readContract({
          address: reader.diamond,
          abi: protocolAbi,
          functionName: "getOffer",
          args: [BigInt(offerId)],
        }),
    );
    const need = offerNeed(offerId, { exists, offer, validUntil: dates.validUntil, terms }, sellerId, nowSeconds);
    if (need.needWei === 0n) continue;
    const key = need.token.toLowerCase();
    needs.set(key, (needs.get(key) ?? 0n) + need.needWei);
  }
  return needs;
}

export type TokenReserve = {
  token: Address;
  symbol: string;
  availableWei: string;
  reserveWei: string;
  excessWei: string;
};

/** Reserve = needs + margin; excess = what is above it (never negative). */
export function tokenReserve(
  token: { address: Address; symbol: string; reserveMarginWei: bigint },
  availableWei: bigint,
  needWei: bigint,
): TokenReserve & { excess: bigint; short: boolean } {
  const reserve = needWei + token.reserveMarginWei;
  const excess = availableWei > reserve ? availableWei - reserve : 0n;
  return {
    token: token.address,
    symbol: token.symbol,
    availableWei: availableWei.toString(),
    reserveWei: reserve.toString(),
    excessWei: excess.toString(),
    excess,
    short: availableWei < reserve,
  };
}
