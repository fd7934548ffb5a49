/**
 * The kit's subgraph documents against the Boson subgraph's real schema,
 * rebuilt from @bosonprotocol/core-sdk's published generated types (no
 * hand-written schema), and the Lambda bundles free of core-sdk (types only).
 */
import { GraphQLEnumType, GraphQLInputObjectType, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { jobNames } from "../../lambdas/contract";
import type { SubgraphExchangeState } from "../../lambdas/shared/chain/subgraph";
import { kitSubgraphDocuments } from "../../tools/review/online/subgraph-fields";
import { bundleJob } from "../../infra/build/bundle";
import { bosonSubgraphSchema } from "../harness/boson-subgraph-schema";

const problems = (document: string) => validate(bosonSubgraphSchema(), parse(document)).map((error) => error.message);

describe("subgraph documents against core-sdk's schema", () => {
  it("builds the schema from the published types: the entities and root fields the kit reads are there", () => {
    const schema = bosonSubgraphSchema();
    const query = schema.getQueryType()?.getFields() ?? {};
    expect(Object.keys(query)).toEqual(
      expect.arrayContaining(["_meta", "exchange", "exchanges", "offers", "sellers", "disputes"]),
    );
    expect(query.exchanges?.args.map((arg) => arg.name).sort()).toEqual([
      "block",
      "first",
      "orderBy",
      "orderDirection",
      "skip",
      "subgraphError",
      "where",
    ]);
    expect(String(query.exchange?.args.find((arg) => arg.name === "id")?.type)).toBe("ID!");
    expect(Object.keys((schema.getType("Exchange_Filter") as GraphQLInputObjectType).getFields())).toEqual(
      expect.arrayContaining(["seller", "id_gt", "state_in"]),
    );
  });

  it.each(Object.entries(kitSubgraphDocuments))("%s is valid against it", (_name, document) => {
    expect(problems(document)).toEqual([]);
  });

  it("refuses a field, argument or filter the subgraph does not have", () => {
    expect(problems("query { exchange(id: 1) { id redeemedAt } }")).toEqual([
      'Cannot query field "redeemedAt" on type "Exchange". Did you mean "redeemedDate"?',
    ]);
    expect(problems('query { exchanges(where: { sellerId: "1" }) { id } }')[0]).toMatch(/sellerId/);
    expect(problems('query { exchanges(after: "1") { id } }')[0]).toMatch(/Unknown argument "after"/);
  });

  it("has the exchange states the kit expects, spelled the same", () => {
    const states = (bosonSubgraphSchema().getType("ExchangeState") as GraphQLEnumType)
      .getValues()
      .map((value) => value.name);
    const kit: Record<SubgraphExchangeState, true> = {
      COMMITTED: true,
      REVOKED: true,
      CANCELLED: true,
      REDEEMED: true,
      COMPLETED: true,
      DISPUTED: true,
    };
    expect(states.sort()).toEqual(Object.keys(kit).sort());
  });
});

describe("Lambda bundles", () => {
  it.each(jobNames)("%s bundles no core-sdk or graphql (the kit imports their types only)", async (job) => {
    const sources = (JSON.parse((await bundleJob(job)).sourceMap) as { sources: string[] }).sources;
    // The check sees package paths: viem is there.
    expect(sources.some((source) => source.includes("node_modules/viem/"))).toBe(true);
    expect(sources.filter((source) => /node_modules\/(@bosonprotocol\/core-sdk|graphql)\//.test(source))).toEqual([]);
  });
});
