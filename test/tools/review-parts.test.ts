import { beforeAll, describe, expect, it } from "vitest";
import type { StackEvaluation } from "../../infra/offline/mock-harness";
import { stackDiagram } from "../../tools/review/mermaid";
import { stackFacts } from "../../tools/review/stack-facts";
import { evaluateCommittedStacks } from "../infra/stack-evaluation";

/** The report's parts that can be checked on their own: the diagram. */

describe("stackDiagram", () => {
  let production: StackEvaluation;
  let diagram: string;

  beforeAll(async () => {
    ({ production } = await evaluateCommittedStacks());
    diagram = stackDiagram(production.config, stackFacts(production));
  });

  it("is a Mermaid flowchart whose edges join declared nodes", () => {
    const lines = diagram.split("\n");
    expect(lines[0]).toBe("flowchart LR");
    const declared = new Set(lines.map((line) => /^\s*([A-Za-z0-9_]+)[[({>]/.exec(line)?.[1]).filter((id): id is string => id !== undefined));
    const edges = lines.filter((line) => /-->|-\.->|-\.-/.test(line));
    expect(edges.length).toBeGreaterThan(10);
    for (const edge of edges) {
      const [from, to] = [/^\s*([A-Za-z0-9_]+)/.exec(edge)?.[1], /([A-Za-z0-9_]+)\s*$/.exec(edge)?.[1]];
      expect(declared.has(from ?? ""), `${edge}: ${from}`).toBe(true);
      expect(declared.has(to ?? ""), `${edge}: ${to}`).toBe(true);
    }
  });

  it("shows the schedules, what the withdraw job signs and writes, and where alerts and logs go", () => {
    expect(diagram).toMatch(/schedule_withdraw\(\["rate\(1 hour\)"\]\)/);
    expect(diagram).toMatch(/schedule_withdraw --> job_withdraw/);
    expect(diagram).toMatch(/job_withdraw -->\|signs \+ reads public key\| key_assistant_signer_key/);
    expect(diagram).toMatch(/job_withdraw -->\|reads \+ writes\| table_state_idempotency/);
    expect(diagram).toMatch(/job_health -->\|reads public key\| key_assistant_signer_key/);
    expect(diagram).not.toMatch(/job_health -->\|signs/);
    expect(diagram).toMatch(/alarms --> topic/);
    expect(diagram).toContain("oncall@example.com");
    expect(diagram).toContain(`Elastic IPs ${(production.outputs.rpcEgressIps as string[]).join(", ")}`);
  });

  it("escapes quotes in labels", () => {
    expect(diagram.split("\n").filter((line) => /\["[^"]*"[^"\]]*"\]/.test(line))).toEqual([]);
  });
});
