import { JSDOM } from "jsdom";
import { beforeAll, describe, expect, it } from "vitest";
import type { StackEvaluation } from "../../infra/offline/evaluate";
import { stackDiagram } from "../../tools/review/mermaid";
import { stackFacts } from "../../tools/review/stack-facts";
import { evaluateCommittedStacks } from "../infra/stack-evaluation";

/** The report's parts that can be checked on their own: the diagram, parsed by Mermaid itself. */

let diagrams: Record<"staging" | "production", string>;
let production: StackEvaluation;

/** Mermaid's parser sanitizes labels with DOMPurify, which needs a DOM: jsdom provides one. */
async function mermaidParser(): Promise<(text: string) => Promise<unknown>> {
  const { window } = new JSDOM("<!doctype html><html><body></body></html>");
  Object.assign(globalThis, {
    window,
    document: window.document,
    DOMParser: window.DOMParser,
    Element: window.Element,
    HTMLElement: window.HTMLElement,
  });
  const mermaid = (await import("mermaid")).default;
  mermaid.initialize({ startOnLoad: false });
  return (text) => mermaid.parse(text);
}

const edgesOf = (diagram: string) => diagram.split("\n").filter((line) => /-->|-\.->/.test(line));

beforeAll(async () => {
  const stacks = await evaluateCommittedStacks();
  production = stacks.production;
  diagrams = {
    staging: stackDiagram(stacks.staging.config, stackFacts(stacks.staging)),
    production: stackDiagram(production.config, stackFacts(production)),
  };
});

describe("stackDiagram", () => {
  it("parses as a Mermaid flowchart (the mermaid library, in jsdom)", async () => {
    const parse = await mermaidParser();
    for (const diagram of Object.values(diagrams)) await expect(parse(diagram)).resolves.toBeTruthy();
    await expect(parse("flowchart LR\n  a -->|unclosed b")).rejects.toThrow();
  });

  it("draws the trust boundaries: people, the AWS account with its VPC, the GCP project, the chain", () => {
    const subgraphs = diagrams.production
      .split("\n")
      .filter((line) => /^\s*subgraph /.test(line))
      .map((line) => line.trim().split(/[[\s]/)[1]);
    expect(subgraphs).toEqual(["people", "aws", "vpc", "gcp_project", "chain"]);
  });

  it("has one edge per relation and job group, 25 at most, each joining declared nodes", () => {
    for (const diagram of Object.values(diagrams)) {
      const edges = edgesOf(diagram);
      expect(edges.length).toBeLessThanOrEqual(25);
      expect(new Set(edges).size).toBe(edges.length);
      const declared = new Set(
        diagram
          .split("\n")
          .map((line) => /^\s*([A-Za-z0-9_]+)[[({>]/.exec(line)?.[1])
          .filter((id): id is string => id !== undefined),
      );
      for (const edge of edges) {
        const [from, to] = [/^\s*([A-Za-z0-9_]+)/.exec(edge)?.[1], /([A-Za-z0-9_]+)\s*$/.exec(edge)?.[1]];
        expect(declared.has(from ?? ""), `${edge}: ${from}`).toBe(true);
        expect(declared.has(to ?? ""), `${edge}: ${to}`).toBe(true);
      }
    }
  });

  it("groups the jobs by what they may do: only the signing group signs", () => {
    const diagram = diagrams.production;
    expect(diagram).toMatch(
      /signing_jobs\["Jobs that sign<br\/>smoke: on demand<br\/>withdraw: rate\(1 hour\), concurrency 1"\]/,
    );
    expect(diagram).toMatch(/signing_jobs -->\|"kms:Sign \+ public key"\| signer/);
    expect(diagram).toMatch(/chain_jobs -->\|"public key"\| signer/);
    expect(edgesOf(diagram).filter((edge) => edge.includes("kms:Sign"))).toHaveLength(1);
    expect(diagram).toMatch(/release -\.->\|"invokes smoke"\| signing_jobs/);
    expect(diagram).toMatch(/cloudwatch -->\|"log subscription"\| shipper_jobs/);
    expect(diagram).toContain("oncall@example.com");
    expect(diagram).toContain(`Elastic IPs ${(production.outputs.rpcEgressIps as string[]).join(", ")}`);
  });

  it("escapes quotes in labels", () => {
    expect(diagrams.production.split("\n").filter((line) => /\["[^"]*"[^"\]]*"\]/.test(line))).toEqual([]);
  });
});
