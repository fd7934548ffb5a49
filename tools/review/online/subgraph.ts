/**
 * How far the subgraph lags the chain head (O6): the graph node's `_meta`
 * block against the RPC's latest block, as the health job measures it.
 */

export type SubgraphLag =
  | { readonly host: string; readonly subgraphBlock: number; readonly chainBlock: number; readonly lagBlocks: number }
  | { readonly host: string; readonly error: string };

/** The one document the review sends to the subgraph. */
export const lagQuery = "query Lag { _meta { block { number } } }";

export async function subgraphLag(url: string, chainBlock: number, timeoutMs: number): Promise<SubgraphLag> {
  const host = URL.canParse(url) ? new URL(url).host : "(invalid URL)";
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: lagQuery }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return { host, error: `HTTP ${response.status}` };
    const body = (await response.json()) as { data?: { _meta?: { block?: { number?: unknown } } } };
    const subgraphBlock = Number(body.data?._meta?.block?.number);
    if (!Number.isFinite(subgraphBlock)) return { host, error: "no _meta.block.number in the response" };
    return { host, subgraphBlock, chainBlock, lagBlocks: Math.max(0, chainBlock - subgraphBlock) };
  } catch (error) {
    return { host, error: error instanceof Error ? error.message : String(error) };
  }
}
