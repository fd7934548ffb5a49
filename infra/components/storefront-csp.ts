import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { widgetLoaderStyleHash } from "../definitions/widgets";

/**
 * The storefront's Content-Security-Policy for the environment's widgets
 * origin: the page's own scripts and the widget loader; the widgets'
 * stylesheet and the one style element the loader injects (by its hash); the
 * widgets' frames; nothing wider. No inline script, no wildcard source, no
 * plugins; the page itself cannot be framed.
 */
export function storefrontCspDirectives(widgetsOrigin: string): Readonly<Record<string, readonly string[]>> {
  return {
    "default-src": ["'self'"],
    "script-src": ["'self'", widgetsOrigin],
    "style-src": ["'self'", widgetsOrigin, widgetLoaderStyleHash],
    "frame-src": [widgetsOrigin],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
  };
}

export function contentSecurityPolicy(directives: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(directives)
    .map(([directive, sources]) => `${directive} ${sources.join(" ")}`)
    .join("; ");
}

/**
 * A CloudFront response headers policy carrying the storefront CSP and the
 * usual hardening headers. The kit does not own the storefront's
 * distribution: the team attaches this policy by its id.
 */
export class StorefrontCsp extends pulumi.ComponentResource {
  public readonly policy: aws.cloudfront.ResponseHeadersPolicy;
  public readonly policyId: pulumi.Output<string>;

  constructor(name: string, args: { readonly widgetsOrigin: string }, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:storefront:StorefrontCsp", name, {}, opts);

    this.policy = new aws.cloudfront.ResponseHeadersPolicy(
      `${name}-headers`,
      {
        comment: "Boson storefront: CSP allowlist for the Boson widgets (checklist S6)",
        securityHeadersConfig: {
          contentSecurityPolicy: {
            contentSecurityPolicy: contentSecurityPolicy(storefrontCspDirectives(args.widgetsOrigin)),
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: "DENY", override: true },
          referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
          strictTransportSecurity: { accessControlMaxAgeSec: 31_536_000, includeSubdomains: true, override: true },
        },
      },
      { parent: this },
    );
    this.policyId = this.policy.id;

    this.registerOutputs({ policyId: this.policyId });
  }
}
