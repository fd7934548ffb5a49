/**
 * The Boson subgraph, as the jobs use it: `_meta` (head block, indexing
 * errors) for the lag check (O6), one exchange for read-after-write checks, and a wait until
 * the graph node has indexed a given block (O2). Each query is one tool-call
 * record (B1) and carries the trace id (B4).
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { withToolCall } from "../runtime/logger";
import { realSleep, type Sleep } from "./finality";
import { traceHeaders } from "../runtime/trace";
// Types only (erased at build): the Lambda bundles must not carry core-sdk. A renamed field or enum value fails the type check.
// The generated module itself, not the package index (which pulls in @bosonprotocol/common's TypeScript sources).
import type * as BosonSubgraph from "@bosonprotocol/core-sdk/dist/cjs/subgraph";

export type SubgraphClient = {
  url: string;
  logger: Logger;
  fetchFn?: typeof fetch;
  timeoutMs?: number;
};

export class SubgraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SubgraphError";
  }
}

/** Sends one GraphQL query; throws SubgraphError on HTTP or GraphQL errors. */
export async function querySubgraph<T>(
  client: SubgraphClient,
  operation: string,
  query: string,
  variables: Record<string, unknown> = {},
  context: { exchangeId?: string; requestId?: string } = {},
): Promise<T> {
  return withToolCall(client.logger, { tool: "subgraph", operation, ...context }, async () => {
    const response = await (client.fetchFn ?? fetch)(client.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...traceHeaders() },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(client.timeoutMs ?? 10_000),
    });
    if (!response.ok) throw new SubgraphError(`subgraph answered HTTP ${response.status}`);
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors && body.errors.length > 0)
      throw new SubgraphError(`subgraph errors: ${body.errors.map((error) => error.message).join("; ")}`);
    if (body.data === undefined) throw new SubgraphError("subgraph answered without data");
    return body.data;
  });
}

export type SubgraphMeta = { blockNumber: bigint; hasIndexingErrors: boolean };

export const metaQuery = "query Meta { _meta { block { number } hasIndexingErrors } }";

/** The selected fields of core-sdk's generated types, as the subgraph answers them (nullable fields present as null). */
type Selected<T, K extends keyof T> = { [P in K]-?: Exclude<T[P], undefined> };
type MetaResult = {
  _meta: Selected<BosonSubgraph._Meta_, "hasIndexingErrors"> & { block: Selected<BosonSubgraph._Block_, "number"> };
};

export async function subgraphMeta(
  client: SubgraphClient,
  context: { exchangeId?: string; requestId?: string } = {},
): Promise<SubgraphMeta> {
  const data = await querySubgraph<MetaResult>(client, "_meta", metaQuery, {}, context);
  return { blockNumber: BigInt(data._meta.block.number), hasIndexingErrors: data._meta.hasIndexingErrors };
}

/** Exchange states as the Boson subgraph spells them (the values of core-sdk's generated enum). */
export type SubgraphExchangeState = `${BosonSubgraph.ExchangeState}`;

export type SubgraphExchange = Selected<
  BosonSubgraph.Exchange,
  "id" | "committedDate" | "redeemedDate" | "finalizedDate" | "disputed"
> & { state: SubgraphExchangeState };

const exchangeFields = "id state committedDate redeemedDate finalizedDate disputed";

export const exchangeQuery = `query Exchange($id: ID!) { exchange(id: $id) { ${exchangeFields} } }`;

export async function subgraphExchange(client: SubgraphClient, exchangeId: string): Promise<SubgraphExchange | null> {
  const data = await querySubgraph<{ exchange: SubgraphExchange | null }>(
    client,
    "exchange",
    exchangeQuery,
    { id: exchangeId },
    { exchangeId },
  );
  return data.exchange;
}

/** Read-after-write (O2): waits until the subgraph's head is at or past `blockNumber`. */
export async function waitForIndexedBlock(
  client: SubgraphClient,
  blockNumber: bigint,
  options: { sleep?: Sleep; pollIntervalMs?: number; timeoutMs?: number; now?: () => number; exchangeId?: string } = {},
): Promise<SubgraphMeta> {
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const meta = await subgraphMeta(client, options.exchangeId ? { exchangeId: options.exchangeId } : {});
    if (meta.blockNumber >= blockNumber) return meta;
    if (now() >= deadline)
      throw new SubgraphError(`subgraph still at block ${meta.blockNumber}, waiting for ${blockNumber}`);
    await sleep(options.pollIntervalMs ?? 1_000);
  }
}
