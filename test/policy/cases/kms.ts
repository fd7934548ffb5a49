import {
  adminArn,
  adminStatement,
  compliantStack,
  signerKeyPolicy,
  signerStatement,
  withChange,
} from "../fixture-stack";
import { KEY, without, type Case } from "./case";

/** The signer and data keys: curve, key policy, separation of duties, deletion and rotation. */
export const kmsCases: Case[] = [
  {
    policy: "kms-signing-key-secp256k1",
    passes: [{ name: "ECC_SECG_P256K1 / SIGN_VERIFY without rotation", stack: compliantStack }],
    violations: [
      {
        name: "NIST curve",
        stack: () => withChange("signer-key", KEY, (i) => (i.customerMasterKeySpec = "ECC_NIST_P256")),
        message: /ECC_NIST_P256.*ECC_SECG_P256K1/,
      },
      {
        name: "rotation asked on an asymmetric key",
        stack: () => withChange("signer-key", KEY, (i) => (i.enableKeyRotation = true)),
        message: /cannot rotate/,
      },
    ],
  },
  {
    policy: "kms-key-policy-explicit",
    passes: [{ name: "both keys carry a policy", stack: compliantStack }],
    violations: [
      { name: "no policy", stack: () => withChange("data-key", KEY, (i) => delete i.policy), message: /no key policy/ },
      {
        name: "policy is not JSON",
        stack: () => withChange("data-key", KEY, (i) => (i.policy = "{not json")),
        message: /not valid JSON/,
      },
    ],
  },
  {
    policy: "kms-no-wildcard-principal",
    passes: [{ name: "named principals only", stack: compliantStack }],
    violations: [
      {
        name: 'Principal "*"',
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) => (i.policy = signerKeyPolicy([adminStatement, { ...signerStatement, Principal: "*" }])),
          ),
        message: /wildcard principal/,
      },
      {
        name: 'Principal { AWS: "*" } on a data key',
        stack: () =>
          withChange(
            "data-key",
            KEY,
            (i) => (i.policy = signerKeyPolicy([adminStatement, { ...signerStatement, Principal: { AWS: "*" } }])),
          ),
        message: /wildcard principal/,
      },
      {
        name: "Allow with NotPrincipal",
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) =>
              (i.policy = signerKeyPolicy([
                adminStatement,
                {
                  Sid: "Open",
                  Effect: "Allow",
                  NotPrincipal: { AWS: [adminArn] },
                  Action: ["kms:Sign"],
                  Resource: "*",
                },
              ])),
          ),
        message: /Open allows everyone except/,
      },
    ],
  },
  {
    policy: "kms-signer-separation-of-duties",
    passes: [
      { name: "admins manage, signers sign", stack: compliantStack },
      {
        name: "a symmetric key's admins are not checked against signers",
        stack: () =>
          withChange("data-key", KEY, (i) => (i.policy = signerKeyPolicy([{ ...adminStatement, Action: ["kms:*"] }]))),
      },
    ],
    violations: [
      {
        name: "admin with kms:*",
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) => (i.policy = signerKeyPolicy([{ ...adminStatement, Action: ["kms:*"] }, signerStatement])),
          ),
        message: /boson-kit-key-admin can both administer the key and sign/,
      },
      {
        name: "signer that can change the key policy",
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) =>
              (i.policy = signerKeyPolicy([
                adminStatement,
                { ...signerStatement, Action: ["kms:Sign", "kms:PutKeyPolicy"] },
              ])),
          ),
        message: /withdraw-role can both administer/,
      },
      {
        name: "admin that can create grants (and so grant itself Sign)",
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) =>
              (i.policy = signerKeyPolicy([
                { ...adminStatement, Action: ["kms:PutKeyPolicy", "kms:CreateGrant"] },
                signerStatement,
              ])),
          ),
        message: /key-admin can both/,
      },
      {
        name: "account root with kms:*",
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) =>
              (i.policy = signerKeyPolicy([
                {
                  Sid: "Root",
                  Effect: "Allow",
                  Principal: { AWS: "arn:aws:iam::123456789012:root" },
                  Action: "kms:*",
                  Resource: "*",
                },
                signerStatement,
              ])),
          ),
        message: /:root can both/,
      },
      {
        name: "nobody administers",
        stack: () => withChange("signer-key", KEY, (i) => (i.policy = signerKeyPolicy([signerStatement]))),
        message: /nobody can administer/,
      },
    ],
  },
  {
    policy: "kms-signing-key-deletion-window",
    passes: [{ name: "30 days", stack: compliantStack }],
    violations: [
      {
        name: "7 days",
        stack: () => withChange("signer-key", KEY, (i) => (i.deletionWindowInDays = 7)),
        message: /deletionWindowInDays is 7/,
      },
    ],
  },
  {
    policy: "kms-symmetric-key-rotation",
    passes: [{ name: "data key rotates; the asymmetric signer is not asked to", stack: compliantStack }],
    violations: [
      {
        name: "data key without rotation",
        stack: () => withChange("data-key", KEY, (i) => (i.enableKeyRotation = false)),
        message: /without automatic rotation/,
      },
    ],
  },
  {
    policy: "stack-has-secp256k1-signer",
    passes: [{ name: "signer present", stack: compliantStack }],
    violations: [{ name: "no signer key", stack: without("signer-key", KEY), message: /no ECC_SECG_P256K1/ }],
  },
];
