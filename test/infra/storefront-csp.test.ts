import { describe, expect, it } from "vitest";
import type { StackEvaluation } from "../../infra/offline/evaluate";
import { committedStacks, committedStackEvaluations, ofType } from "./stack-evaluation";

const stacks = committedStackEvaluations();

const widgets = "https://widgets.bosonprotocol.io";

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(";")
      .map((directive) => directive.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [String(name), sources]),
  );
}

describe.each(committedStacks)("storefront CSP in %s (S6)", (stack) => {
  const policyOf = (evaluation: StackEvaluation) => {
    const policies = ofType(evaluation, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy");
    expect(policies).toHaveLength(1);
    const headers = policies[0]?.inputs.securityHeadersConfig as { contentSecurityPolicy: { contentSecurityPolicy: string; override: boolean } };
    return { resource: policies[0], csp: headers.contentSecurityPolicy };
  };

  it("allows scripts from the page and the Boson widgets only", () => {
    const { csp } = policyOf(stacks[stack]);
    expect(csp.override).toBe(true);
    expect(directives(csp.contentSecurityPolicy).get("script-src")).toEqual(["'self'", widgets]);
  });

  it("allows frames from the Boson widgets only", () => {
    expect(directives(policyOf(stacks[stack]).csp.contentSecurityPolicy).get("frame-src")).toEqual([widgets]);
  });

  it("has no wildcard, no inline or eval script, and a restrictive default", () => {
    const parsed = directives(policyOf(stacks[stack]).csp.contentSecurityPolicy);
    expect(parsed.get("default-src")).toEqual(["'self'"]);
    for (const [name, sources] of parsed) {
      for (const source of sources) {
        expect(source, name).not.toContain("*");
        expect(source, name).not.toMatch(/^(https?:|data:|blob:)$/);
      }
    }
    expect(parsed.get("script-src")).not.toContain("'unsafe-inline'");
    expect(parsed.get("script-src")).not.toContain("'unsafe-eval'");
  });

  it("exports the policy id for the team's distribution", () => {
    const evaluation = stacks[stack];
    expect(evaluation.outputs.storefrontResponseHeadersPolicyId).toBe(policyOf(evaluation).resource?.computed?.id);
  });
});
