/**
 * The seller's exchanges that may hold releasable escrow, from the subgraph:
 * redeemed (completable once the dispute period passed), disputed (expirable
 * once the dispute timed out) and committed with an elapsed voucher
 * (expirable). A finalized dispute leaves its exchange Disputed, so only
 * exchanges without a finalizedDate are candidates. Paged by cursor
 * (`id_gt`, the subgraph's id order), never `skip`: graph-node caps `skip`,
 * and a cursor stays correct while entities move between states. The chain, not this list, decides what is due.
 */
import { querySubgraph, type SubgraphClient } from "../../shared/chain/subgraph";

export type ReleaseKind = "complete" | "expireDispute" | "expireVoucher";

/** The subgraph state each kind starts from. */
export const candidateState: Readonly<Record<ReleaseKind, "REDEEMED" | "DISPUTED" | "COMMITTED">> = {
  complete: "REDEEMED",
  expireDispute: "DISPUTED",
  expireVoucher: "COMMITTED",
};

export const releaseCandidatesQuery = `query ReleaseCandidates($sellerId: String!, $state: ExchangeState!, $cursor: ID!, $first: Int!, $validBefore: BigInt!) {
  exchanges(where: { seller: $sellerId, state: $state, finalizedDate: null, id_gt: $cursor, validUntilDate_lt: $validBefore }, first: $first, orderBy: id, orderDirection: asc) { id }
}`;

/** A validUntilDate no exchange reaches: the filter then keeps every exchange of the state. */
const noValidityFilter = (2n ** 255n).toString();

/**
 * Up to `limit` candidate exchange ids of one kind, in the subgraph's id
 * order, fetched `pageSize` at a time. `nowSeconds` filters committed
 * vouchers to those already past their validity.
 */
export async function releaseCandidates(
  client: SubgraphClient,
  options: {
    sellerId: string;
    kind: ReleaseKind;
    nowSeconds: bigint;
    limit: number;
    pageSize?: number;
    requestId: string;
  },
): Promise<string[]> {
  const pageSize = Math.min(options.pageSize ?? 100, options.limit);
  const validBefore = options.kind === "expireVoucher" ? options.nowSeconds.toString() : noValidityFilter;
  const ids: string[] = [];
  let cursor = "";
  while (ids.length < options.limit) {
    const first = Math.min(pageSize, options.limit - ids.length);
    const variables = { sellerId: options.sellerId, state: candidateState[options.kind], cursor, first, validBefore };
    const data = await querySubgraph<{ exchanges: { id: string }[] }>(
      client,
      `releaseCandidates.${options.kind}`,
      releaseCandidatesQuery,
      variables,
      { requestId: options.requestId },
    );
    ids.push(...data.exchanges.map((exchange) => exchange.id));
    const last = data.exchanges.at(-1);
    if (data.exchanges.length < first || last === undefined) break;
    cursor = last.id;
  }
  return ids;
}
