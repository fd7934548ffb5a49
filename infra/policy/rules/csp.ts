import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { resourcePolicy, stackPolicy, type KitPolicy } from "../kit-policy";
import { asRecord, asString } from "./props";

import { knownWidgetsOrigins } from "../../definitions/widgets";

/**
 * S6: the storefront's Content-Security-Policy lets the Boson widget's
 * scripts, styles and frames load from a widgets origin (one of the
 * environments' hosts) and from nowhere wider: no wildcard hosts, no bare
 * schemes, no unsafe-inline / unsafe-eval (a style element is allowed only by
 * its hash).
 */

export const widgetOrigin = "https://widgets.bosonprotocol.io";

/** Directives that decide where script, style and frames come from. */
const scriptDirectives = ["script-src", "script-src-elem", "style-src", "style-src-elem", "default-src"];
const frameDirectives = ["frame-src", "child-src"];

/** Sources that are never narrower than "the widget origin". */
const tooWide: readonly { readonly test: (source: string) => boolean; readonly why: string }[] = [
  { test: (s) => s === "*", why: "allows any origin" },
  { test: (s) => /^[a-z][a-z0-9+.-]*:$/.test(s), why: "allows a whole scheme" },
  { test: (s) => /^([a-z]+:\/\/)?\*\./.test(s) || s.includes("://*"), why: "is a wildcard host" },
  {
    test: (s) => s === "'unsafe-inline'" || s === "'unsafe-eval'" || s === "'unsafe-hashes'",
    why: "lets inline or eval'd script run",
  },
];

/** Sources that add nothing beyond the page itself or pinned content. */
const harmless = (source: string) =>
  ["'self'", "'none'", "'strict-dynamic'", "'report-sample'"].includes(source) ||
  /^'(nonce|sha256|sha384|sha512)-[^']+'$/.test(source);

export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/).filter(Boolean);
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** Every reason a CSP is not "a widgets origin and nothing wider", or [] when it is. */
export function cspProblems(policy: string, origins: readonly string[] = knownWidgetsOrigins): string[] {
  const directives = parseCsp(policy);
  const problems: string[] = [];
  const scriptSources = directives.get("script-src") ?? directives.get("default-src");
  const origin = scriptSources?.find((source) => origins.includes(source)) ?? origins[0] ?? widgetOrigin;
  if (!scriptSources) problems.push("has neither script-src nor default-src: any script origin is allowed");
  else if (!scriptSources.includes(origin))
    problems.push(`script-src does not allow the widget origin (one of ${origins.join(", ")})`);
  for (const directive of [...scriptDirectives, ...frameDirectives]) {
    for (const source of directives.get(directive) ?? []) {
      const wide = tooWide.find((rule) => rule.test(source.toLowerCase()));
      if (wide) problems.push(`${directive} ${source} ${wide.why}`);
      else if (!harmless(source) && source !== origin)
        problems.push(`${directive} allows ${source}, beyond the widget origin`);
    }
  }
  const objects = directives.get("object-src") ?? directives.get("default-src");
  if (!objects || !objects.every((source) => source === "'none'" || source === "'self'"))
    problems.push("object-src is not 'none' (plugins could load script)");
  return problems;
}

export const cspPolicies: KitPolicy[] = [
  resourcePolicy(
    { checklist: ["S6"] },
    {
      name: "csp-widget-origin-only",
      description: `The storefront CSP allows the environment's widgets origin (such as ${widgetOrigin}) for scripts, styles and frames, and nothing wider.`,
      remediationSteps: `Use script-src 'self' <widgets>; style-src 'self' <widgets> '<sha256 of the loader's style>'; frame-src <widgets>; object-src 'none', with override: true.`,
      configSchema: { properties: { widgetOrigin: { type: "string" } } },
      validateResource: validateResourceOfType(
        aws.cloudfront.ResponseHeadersPolicy,
        (policy, args, reportViolation) => {
          const configured = asString(args.getConfig<{ widgetOrigin?: unknown }>().widgetOrigin);
          const origin = configured !== undefined ? [configured] : knownWidgetsOrigins;
          const csp = asRecord(asRecord(policy.securityHeadersConfig).contentSecurityPolicy);
          const header = asString(csp.contentSecurityPolicy);
          if (header === undefined) {
            reportViolation("securityHeadersConfig.contentSecurityPolicy is not set");
            return;
          }
          for (const problem of cspProblems(header, origin)) reportViolation(`the CSP ${problem}`);
          if (csp.override !== true)
            reportViolation("contentSecurityPolicy.override is not true: the origin's own header would win");
        },
      ),
    },
  ),
  stackPolicy(
    { checklist: ["S6"] },
    {
      name: "stack-has-widget-csp",
      description: "The stack declares the storefront's response headers policy with a Content-Security-Policy.",
      remediationSteps: "Declare the storefront CSP component (an aws.cloudfront.ResponseHeadersPolicy).",
      validateStack: (args, reportViolation) => {
        const withCsp = args.resources.filter(
          (r) =>
            r.isType(aws.cloudfront.ResponseHeadersPolicy) &&
            asString(asRecord(asRecord(r.props.securityHeadersConfig).contentSecurityPolicy).contentSecurityPolicy),
        );
        if (withCsp.length === 0)
          reportViolation("no CloudFront response headers policy with a Content-Security-Policy in the stack");
      },
    },
  ),
];
