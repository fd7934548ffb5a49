import type { RecordedResource } from "../../../infra/offline/evaluate";
import { compliantStack, withChange } from "../fixture-stack";

/** One policy of the pack, with stacks where it passes and stacks that violate it. */
export type Stack = () => RecordedResource[];

export interface Case {
  readonly policy: string;
  readonly passes: readonly { readonly name: string; readonly stack: Stack }[];
  readonly violations: readonly { readonly name: string; readonly stack: Stack; readonly message: RegExp }[];
}

export const KEY = "aws:kms/key:Key";
export const FN = "aws:lambda/function:Function";
export const env = (inputs: Record<string, unknown>) =>
  (inputs.environment as { variables: Record<string, unknown> }).variables;
export const without =
  (name: string, type: string): Stack =>
  () =>
    compliantStack().filter((r) => !(r.name === name && r.type === type));
export const adding =
  (...extra: RecordedResource[]): Stack =>
  () => [...compliantStack(), ...extra];
export const csp =
  (header: string, override = true): Stack =>
  () =>
    withChange("storefront", "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", (i) => {
      i.securityHeadersConfig = { contentSecurityPolicy: { contentSecurityPolicy: header, override } };
    });
