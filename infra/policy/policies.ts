import type { KitPolicy } from "./kit-policy";
import { alertingPolicies } from "./rules/alerting";
import { cspPolicies } from "./rules/csp";
import { encryptionPolicies } from "./rules/encryption";
import { gcpPolicies } from "./rules/gcp";
import { kmsPolicies } from "./rules/kms";
import { lambdaPolicies } from "./rules/lambda";
import { logPolicies } from "./rules/logs";
import { networkPolicies } from "./rules/network";

/**
 * The kit's security-review policies as a plain array: `index.ts` hands it to
 * a PolicyPack for `pulumi preview --policy-pack infra/policy`, and the
 * offline runner (`offline/run.ts`) evaluates the same objects in-process
 * (constructing a PolicyPack starts a gRPC server, once per process).
 */
export const kitPolicies: readonly KitPolicy[] = [
  ...kmsPolicies,
  ...lambdaPolicies,
  ...networkPolicies,
  ...logPolicies,
  ...encryptionPolicies,
  ...alertingPolicies,
  ...gcpPolicies,
  ...cspPolicies,
];

export const policyPackName = "boson-kit-security";
