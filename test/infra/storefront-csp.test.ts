import { describe, expect, it } from "vitest";
import type { StackEvaluation } from "../../infra/offline/evaluate";
import { committedStacks, committedStackEvaluations, ofType } from "./stack-evaluation";
import { widgetLoaderStyle, widgetLoaderStyleHash, widgetsOriginFor } from "../../infra/definitions/widgets";
import { createHash } from "node:crypto";

const stacks = committedStackEvaluations();

// Each environment's own host, as the widgets' documentation lists it (staging is not served from production's host).
const widgetsHost: Record<string, string> = {
  production: "https://widgets.bosonprotocol.io",
  staging: "https://widgets-staging.on-fleek.app",
};

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(";")
      .map((directive) => directive.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [String(name), sources]),
  );
}

describe("widgets origins", () => {
  it("follow the configId's environment", () => {
    expect(widgetsOriginFor("production-137-0")).toBe("https://widgets.bosonprotocol.io");
    expect(widgetsOriginFor("staging-80002-0")).toBe("https://widgets-staging.on-fleek.app");
    expect(widgetsOriginFor("testing-80002-0")).toBe("https://widgets-test.on-fleek.app");
    expect(() => widgetsOriginFor("mainnet-1-0")).toThrow(/no widgets host/);
  });

  it("name the loader's injected style by its SHA-256", () => {
    expect(widgetLoaderStyleHash).toBe(`'sha256-${createHash("sha256").update(widgetLoaderStyle).digest("base64")}'`);
  });
});

describe.each(committedStacks)("storefront CSP in %s (S6)", (stack) => {
  const widgets = widgetsHost[stack] ?? "";
  const policyOf = (evaluation: StackEvaluation) => {
    const policies = ofType(evaluation, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy");
    expect(policies).toHaveLength(1);
    const headers = policies[0]?.inputs.securityHeadersConfig as {
      contentSecurityPolicy: { contentSecurityPolicy: string; override: boolean };
    };
    return { resource: policies[0], csp: headers.contentSecurityPolicy };
  };

  it("allows scripts from the page and the Boson widgets only", () => {
    const { csp } = policyOf(stacks[stack]);
    expect(csp.override).toBe(true);
    expect(directives(csp.contentSecurityPolicy).get("script-src")).toEqual(["'self'", widgets]);
  });

  it("allows styles from the page, the widgets' stylesheet and the loader's style element by hash", () => {
    expect(directives(policyOf(stacks[stack]).csp.contentSecurityPolicy).get("style-src")).toEqual([
      "'self'",
      widgets,
      widgetLoaderStyleHash,
    ]);
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
    expect(parsed.get("style-src")).not.toContain("'unsafe-inline'");
  });

  it("exports the policy id for the team's distribution", () => {
    const evaluation = stacks[stack];
    expect(evaluation.outputs.storefrontResponseHeadersPolicyId).toBe(policyOf(evaluation).resource?.computed?.id);
  });
});
