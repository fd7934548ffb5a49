// The policy pack entrypoint for the Pulumi CLI:
//   pulumi preview --policy-pack infra/policy --stack production
// Only this file constructs the PolicyPack (which starts the analyzer's gRPC
// server); tests and `npm run review` evaluate `kitPolicies` offline instead.
import { PolicyPack } from "@pulumi/policy";
import { kitPolicies, policyPackName } from "./policies";

new PolicyPack(policyPackName, {
  description: "Boson production kit: the going-to-production checklist's infrastructure items (S1..C4) as policies.",
  enforcementLevel: "mandatory",
  policies: [...kitPolicies],
});
