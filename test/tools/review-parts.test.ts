import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { StackEvaluation } from "../../infra/offline/evaluate";
import { stackDiagram } from "../../tools/review/mermaid";
import { stackFacts } from "../../tools/review/stack-facts";
import { testsByChecklistId } from "../../tools/review/test-evidence";
import { evaluateCommittedStacks } from "../infra/stack-evaluation";

/** The report's parts that can be checked on their own: test evidence and the diagram. */

describe("testsByChecklistId", () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "evidence-"));
    for (const dir of ["test/lambdas", "test/tools", "test/policy"]) mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(
      join(root, "test/lambdas/withdraw.test.ts"),
      [
        'describe("withdraw job (M1, O1)", () => {',
        '  it("keeps going when O2 is not in the title", () => {});',
        "  it.each([1])('sends one transaction (O3)', () => {});",
        '  it("mentions SO1 and B12, which are not ids", () => {});',
        '  it("sends no transaction while the Funds region is paused", () => {});',
        "});",
      ].join("\n"),
    );
    writeFileSync(join(root, "test/tools/review.test.ts"), 'it("S2 is needs-human offline", () => {});');
    writeFileSync(join(root, "test/policy/p.test.ts"), 'it("C4 policy", () => {});');
  });

  it("finds ids named in describe and test titles, with file and line", () => {
    const found = testsByChecklistId(root, []);
    expect(found.get("M1")).toEqual([{ file: "test/lambdas/withdraw.test.ts", line: 1, title: "withdraw job (M1, O1)" }]);
    expect(found.get("O2")?.[0]?.line).toBe(2);
    expect(found.get("O3")?.[0]?.title).toBe("sends one transaction (O3)");
    expect(found.has("B1")).toBe(false);
  });

  it("does not count the reviewer's own tests as evidence", () => {
    const found = testsByChecklistId(root, []);
    expect(found.has("S2")).toBe(false);
    expect(found.has("C4")).toBe(false);
  });

  it("adds mapped tests by title, and drops them when the title no longer matches", () => {
    const mapped = [{ id: "H2" as const, file: "test/lambdas/withdraw.test.ts", title: /while the Funds region is paused/ }];
    expect(testsByChecklistId(root, mapped).get("H2")?.[0]?.line).toBe(5);
    const renamed = [{ id: "H2" as const, file: "test/lambdas/withdraw.test.ts", title: /checks pausedRegions first/ }];
    expect(testsByChecklistId(root, renamed).has("H2")).toBe(false);
  });
});

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
