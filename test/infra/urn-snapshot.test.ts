import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { evaluateProgram, type StackEvaluation } from "../../infra/offline/evaluate";
import { compareUrns } from "../../infra/offline/urns";
import { committedStackEvaluations, committedStacks } from "./stack-evaluation";

const snapshot = (stack: string): string[] =>
  JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "urn-snapshot", `${stack}.json`), "utf8")) as string[];

const stacks = committedStackEvaluations();

describe("URNs of the committed stacks against the snapshot taken before the layout moves", () => {
  it.each(committedStacks)("%s keeps every snapshot URN, unchanged or through aliases", (stack) => {
    const before = snapshot(stack);
    expect(before.length).toBeGreaterThan(100);
    const { lost } = compareUrns(before, stacks[stack].resources);
    expect(lost).toEqual([]);
  });
});

interface Shape {
  readonly boxType: string;
  readonly boxName: string;
  readonly boxAliases?: pulumi.Input<pulumi.Alias>[];
  readonly loneName: string;
  readonly loneAliases?: pulumi.Input<pulumi.Alias>[];
}

class Box extends pulumi.ComponentResource {
  constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    new aws.sns.Topic(`${name}-topic`, {}, { parent: this });
    this.registerOutputs({});
  }
}

/** A small program shaped like the kit's: a component with a `<name>-` child, and a top-level resource. */
const program = (shape: Shape) => () => {
  new Box(shape.boxType, shape.boxName, shape.boxAliases ? { aliases: shape.boxAliases } : {});
  new aws.sns.Topic(shape.loneName, {}, shape.loneAliases ? { aliases: shape.loneAliases } : {});
  return {};
};

const original: Shape = { boxType: "test:index:Box", boxName: "box", loneName: "lone" };

describe("the URN comparison, on a program evaluated under the same mocks", () => {
  let before: string[] = [];
  const evaluate = async (shape: Shape): Promise<StackEvaluation> =>
    evaluateProgram(stacks.staging.config, program(shape));

  it("takes the first evaluation as the snapshot", async () => {
    before = (await evaluate(original)).resources.map((resource) => resource.urn);
    expect(compareUrns(before, (await evaluate(original)).resources)).toEqual({ lost: [], aliased: [], added: [] });
  });

  it("reports a URN as lost when a resource is renamed without an alias", async () => {
    const { resources } = await evaluate({ ...original, loneName: "single" });
    const comparison = compareUrns(before, resources);
    expect(comparison.lost).toEqual([before.find((urn) => urn.endsWith("::lone"))]);
    expect(comparison.added).toEqual([resources.find((resource) => resource.name === "single")?.urn]);
  });

  it("reports the children as lost when their component changes type without an alias", async () => {
    const { lost } = compareUrns(before, (await evaluate({ ...original, boxType: "test:things:Box" })).resources);
    expect(lost.map((urn) => urn.split("::").pop())).toEqual(["box", "box-topic"]);
  });

  it("keeps a renamed resource that names its old name in aliases", async () => {
    const { resources } = await evaluate({ ...original, loneName: "single", loneAliases: [{ name: "lone" }] });
    const comparison = compareUrns(before, resources);
    expect(comparison.lost).toEqual([]);
    expect(comparison.aliased).toEqual([
      {
        before: before.find((urn) => urn.endsWith("::lone")),
        now: resources.find((resource) => resource.name === "single")?.urn,
      },
    ]);
  });

  it("keeps the children of a renamed, retyped component through the aliases they inherit", async () => {
    const shape = {
      ...original,
      boxType: "test:things:Crate",
      boxName: "crate",
      boxAliases: [{ name: "box", type: "test:index:Box" }],
    };
    const { resources } = await evaluate(shape);
    const comparison = compareUrns(before, resources);
    expect(comparison.lost).toEqual([]);
    expect(comparison.added).toEqual([]);
    expect(
      comparison.aliased.map(({ before, now }) => [before, now].map((urn) => urn.split("::").slice(2).join("::"))),
    ).toEqual([
      ["pulumi:pulumi:Stack$test:index:Box::box", "pulumi:pulumi:Stack$test:things:Crate::crate"],
      ["test:index:Box$aws:sns/topic:Topic::box-topic", "test:things:Crate$aws:sns/topic:Topic::crate-topic"],
    ]);
  });
});
