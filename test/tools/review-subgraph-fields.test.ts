/**
 * `--rpc`: the review checks the kit's subgraph documents against the live
 * subgraph's introspection. Here the live subgraph is the local server, which
 * serves the schema rebuilt from core-sdk's published types.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSubgraphFields, kitSubgraphDocuments } from "../../tools/review/online/subgraph-fields";
import { startAnvil, type Anvil } from "../harness/anvil";
import { deployProtocolFixture } from "../harness/protocol-fixture";
import { startFixtureSubgraph, type SubgraphServer } from "../harness/subgraph-server";

let anvil: Anvil;
let subgraph: SubgraphServer;

beforeAll(async () => {
  anvil = await startAnvil();
  const fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  subgraph = await startFixtureSubgraph(anvil.rpcUrl, fixture);
});
afterAll(async () => {
  await Promise.all([subgraph?.stop(), anvil?.stop()]);
});

describe("review --rpc: the kit's subgraph fields against the live introspection", () => {
  it("finds every document the kit sends valid against the served schema", async () => {
    expect(await checkSubgraphFields(subgraph.url, 10_000)).toEqual({
      host: new URL(subgraph.url).host,
      documents: Object.keys(kitSubgraphDocuments).length,
      problems: [],
    });
  });

  it("names the document and the field the live schema lacks", async () => {
    const result = await checkSubgraphFields(subgraph.url, 10_000, {
      ...kitSubgraphDocuments,
      renamed: "query { exchange(id: 1) { id completedAt } }",
    });
    expect(result).toMatchObject({
      problems: [
        expect.stringMatching(
          /^renamed: Cannot query field "completedAt" on type "Exchange"\. Did you mean "completedDate"/,
        ),
      ],
    });
  });

  it("says why when the subgraph cannot be introspected", async () => {
    const result = await checkSubgraphFields("http://127.0.0.1:9/subgraphs/name/boson", 2_000);
    expect(result).toMatchObject({ host: "127.0.0.1:9" });
    expect("error" in result && result.error.length > 0).toBe(true);
  });
});
