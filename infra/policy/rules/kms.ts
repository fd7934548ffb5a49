import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { resourcePolicy, stackPolicy, type KitPolicy } from "../kit-policy";
import { parsePolicyDocument } from "../iam-document";
import { administratorsWhoSign, keyRoles } from "../kms-roles";
import { asNumber, asString } from "./props";

/**
 * KMS: the signer key holds the seller assistant's private key (S1), and its
 * key policy is the record of who can administer and who can sign (M3).
 */

const signerSpec = "ECC_SECG_P256K1";

/** A key meant to sign: its usage says so, or its spec is asymmetric. */
export function isSigningKey(props: { keyUsage?: unknown; customerMasterKeySpec?: unknown }): boolean {
  const usage = asString(props.keyUsage);
  const spec = asString(props.customerMasterKeySpec);
  return usage === "SIGN_VERIFY" || (spec !== undefined && spec !== "SYMMETRIC_DEFAULT" && !spec.startsWith("HMAC_"));
}

export function isSecp256k1Signer(props: { keyUsage?: unknown; customerMasterKeySpec?: unknown }): boolean {
  return props.keyUsage === "SIGN_VERIFY" && props.customerMasterKeySpec === signerSpec;
}

export const kmsPolicies: KitPolicy[] = [
  resourcePolicy(
    { checklist: ["S1"] },
    {
      name: "kms-signing-key-secp256k1",
      description:
        "Signing keys are ECC_SECG_P256K1 with SIGN_VERIFY usage (Ethereum's curve), and do not ask for automatic rotation.",
      remediationSteps:
        'Set customerMasterKeySpec: "ECC_SECG_P256K1" and keyUsage: "SIGN_VERIFY"; leave enableKeyRotation unset.',
      validateResource: validateResourceOfType(aws.kms.Key, (key, _args, reportViolation) => {
        if (!isSigningKey(key)) return;
        if (!isSecp256k1Signer(key)) {
          reportViolation(
            `signing key has spec ${key.customerMasterKeySpec ?? "(unset)"} and usage ${key.keyUsage ?? "(unset)"}; ` +
              `an Ethereum signer needs ${signerSpec} / SIGN_VERIFY`,
          );
        }
        // AWS rotates only symmetric keys; asking for it on an asymmetric key fails at deploy time.
        if (key.enableKeyRotation === true) {
          reportViolation(
            "enableKeyRotation is true on an asymmetric key: AWS cannot rotate it (rotate by replacing the key, see the M3 runbook)",
          );
        }
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["S1", "M3"], checkov: ["CKV2_AWS_64"] },
    {
      name: "kms-key-policy-explicit",
      description: "Every KMS key has an explicit key policy, so the key policy alone says who can use it.",
      remediationSteps: "Pass `policy` with statements naming the administrators and each user of the key.",
      validateResource: validateResourceOfType(aws.kms.Key, (key, _args, reportViolation) => {
        if (asString(key.policy) === undefined) {
          reportViolation(
            "the key has no key policy: AWS would apply the default policy, which delegates to every IAM principal of the account",
          );
          return;
        }
        const document = parsePolicyDocument(key.policy);
        if (!document.ok) reportViolation(`the key policy ${document.error}`);
        else if (document.statements.length === 0) reportViolation("the key policy has no statements");
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["S1"], checkov: ["CKV_AWS_33"] },
    {
      name: "kms-no-wildcard-principal",
      description: 'No KMS key policy allows a wildcard ("*") principal or an open-ended NotPrincipal.',
      remediationSteps: "Name each IAM role or AWS service principal explicitly.",
      validateResource: validateResourceOfType(aws.kms.Key, (key, _args, reportViolation) => {
        const roles = keyRoles(key.policy);
        if (roles.error) return; // kms-key-policy-explicit reports it
        if (roles.wildcard)
          reportViolation(
            'the key policy allows the wildcard principal "*": anyone who can reach KMS could use the key',
          );
        for (const sid of roles.unbounded)
          reportViolation(`statement ${sid} allows everyone except a NotPrincipal list`);
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["S1", "M3"] },
    {
      name: "kms-signer-separation-of-duties",
      description:
        "On a signing key, no principal that can sign can administer the key, and no administrator can sign; both roles are named.",
      remediationSteps:
        "Give administrators only lifecycle actions (no kms:Sign, kms:CreateGrant or kms:*), and signers only kms:Sign, kms:GetPublicKey and kms:DescribeKey.",
      validateResource: validateResourceOfType(aws.kms.Key, (key, _args, reportViolation) => {
        if (!isSigningKey(key)) return;
        const roles = keyRoles(key.policy);
        if (roles.error) {
          reportViolation(`cannot tell who administers and who signs: ${roles.error}`);
          return;
        }
        for (const principal of administratorsWhoSign(roles)) {
          reportViolation(`${principal} can both administer the key and sign with it`);
        }
        if (roles.administrators.length === 0)
          reportViolation(
            "nobody can administer the key: it could not be disabled or its policy changed in an incident",
          );
        if (roles.signers.length === 0) reportViolation("nobody can sign with the key");
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["S1", "M3"] },
    {
      name: "kms-signing-key-deletion-window",
      description:
        "A signing key keeps the longest deletion window (30 days): deleting it loses the seller assistant's address for good.",
      remediationSteps: "Leave deletionWindowInDays unset or set it to 30.",
      validateResource: validateResourceOfType(aws.kms.Key, (key, _args, reportViolation) => {
        const days = asNumber(key.deletionWindowInDays);
        if (isSigningKey(key) && days !== undefined && days < 30) {
          reportViolation(
            `deletionWindowInDays is ${days}; a signing key needs 30 so an accidental deletion can be cancelled`,
          );
        }
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["S3"], checkov: ["CKV_AWS_7"], trivy: ["AVD-AWS-0065"] },
    {
      name: "kms-symmetric-key-rotation",
      description:
        "Symmetric (data) keys rotate automatically. Never applied to asymmetric signing keys, which AWS cannot rotate.",
      remediationSteps: "Set enableKeyRotation: true on symmetric keys.",
      validateResource: validateResourceOfType(aws.kms.Key, (key, _args, reportViolation) => {
        if (isSigningKey(key)) return;
        if (key.enableKeyRotation !== true) reportViolation("a symmetric key without automatic rotation");
      }),
    },
  ),
  stackPolicy(
    { checklist: ["S1"] },
    {
      name: "stack-has-secp256k1-signer",
      description:
        "The stack declares a KMS secp256k1 signing key: the jobs sign through KMS, never with a key they hold.",
      remediationSteps: "Declare the signer component (an aws.kms.Key with ECC_SECG_P256K1 / SIGN_VERIFY).",
      validateStack: (args, reportViolation) => {
        const signers = args.resources.filter((r) => r.isType(aws.kms.Key) && isSecp256k1Signer(r.props));
        if (signers.length === 0) reportViolation("no ECC_SECG_P256K1 / SIGN_VERIFY KMS key in the stack");
      },
    },
  ),
];
