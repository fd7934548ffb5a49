import { buildClientSchema, getIntrospectionQuery, parse, validate, type IntrospectionQuery } from "graphql";
import { exchangeQuery, metaQuery } from "../../../lambdas/shared/chain/subgraph";
import { releaseCandidatesQuery } from "../../../lambdas/withdraw/escrow/candidates";
import { sellerOffersQuery } from "../../../lambdas/withdraw/reserve";
import { lagQuery } from "./subgraph";

/**
 * Online mode: the kit's subgraph documents against the live subgraph's own
 * schema (its introspection), so a field the deployed subgraph renamed or
 * dropped shows before a job's query fails in production.
 */

/** Every document a job or tool sends to the subgraph. */
export const kitSubgraphDocuments: Readonly<Record<string, string>> = {
  meta: metaQuery,
  exchange: exchangeQuery,
  lag: lagQuery,
  releaseCandidates: releaseCandidatesQuery,
  sellerOffers: sellerOffersQuery,
};

export type SubgraphFieldCheck =
  | { readonly host: string; readonly documents: number; readonly problems: readonly string[] }
  | { readonly host: string; readonly error: string };

export async function checkSubgraphFields(
  url: string,
  timeoutMs: number,
  documents: Readonly<Record<string, string>> = kitSubgraphDocuments,
): Promise<SubgraphFieldCheck> {
  const host = URL.canParse(url) ? new URL(url).host : "(invalid URL)";
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: getIntrospectionQuery() }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return { host, error: `HTTP ${response.status}` };
    const body = (await response.json()) as { data?: IntrospectionQuery; errors?: { message: string }[] };
    if (body.data === undefined)
      return {
        host,
        error: `no introspection data${body.errors ? `: ${body.errors.map((e) => e.message).join("; ")}` : ""}`,
      };
    const schema = buildClientSchema(body.data);
    const problems = Object.entries(documents).flatMap(([name, document]) =>
      validate(schema, parse(document)).map((error) => `${name}: ${error.message}`),
    );
    return { host, documents: Object.keys(documents).length, problems };
  } catch (error) {
    return { host, error: error instanceof Error ? error.message : String(error) };
  }
}
