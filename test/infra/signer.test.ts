import { generateKeyPairSync } from "node:crypto";
import { keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { ethereumAddressFromSpki } from "../../infra/definitions/signer-address";
import type { StackEvaluation } from "../../infra/offline/evaluate";
import {
  actionsOf,
  awsPrincipals,
  committedStacks,
  committedStackEvaluations,
  grants,
  keyPolicy,
  keyType,
  named,
  ofType,
  roleNames,
} from "./stack-evaluation";

const stacks = committedStackEvaluations();

const signerKey = (evaluation: StackEvaluation) => named(evaluation, keyType, "assistant-signer-key");

describe.each(committedStacks)("signer in %s (S1, S2)", (stack) => {
  it("is one secp256k1 SIGN_VERIFY key with a 30-day deletion window and an alias", () => {
    const evaluation = stacks[stack];
    const signingKeys = ofType(evaluation, keyType).filter((key) => key.inputs.keyUsage === "SIGN_VERIFY");
    expect(signingKeys.map((key) => key.name)).toEqual(["assistant-signer-key"]);
    const key = signerKey(evaluation);
    expect(key.inputs.customerMasterKeySpec).toBe("ECC_SECG_P256K1");
    expect(key.inputs.deletionWindowInDays).toBe(30);
    const alias = named(evaluation, "aws:kms/alias:Alias", "assistant-signer-alias");
    expect(alias.inputs.targetKeyId).toBe(key.computed?.keyId);
    expect(alias.inputs.name).toMatch(/^alias\/.+assistant$/);
  });

  it("lets only the withdraw and smoke roles sign, and only ECDSA_SHA_256 over a digest", () => {
    const evaluation = stacks[stack];
    const allowsSign = keyPolicy(signerKey(evaluation)).filter(
      (statement) => statement.Effect === "Allow" && grants(statement, "kms:Sign"),
    );
    expect(allowsSign.length).toBeGreaterThan(0);
    const signers = new Set(allowsSign.flatMap((statement) => roleNames(evaluation, awsPrincipals(statement))));
    expect([...signers].sort()).toEqual(["smoke-job-role", "withdraw-job-role"]);
    for (const statement of allowsSign) {
      expect(statement.Condition?.StringEquals?.["kms:SigningAlgorithm"]).toBe("ECDSA_SHA_256");
      expect(statement.Condition?.StringEquals?.["kms:MessageType"]).toBe("DIGEST");
    }
  });

  it("lets the administrators and deployers manage the key but never sign or grant", () => {
    const evaluation = stacks[stack];
    const administrators = [...evaluation.config.aws.kmsAdministrators, ...evaluation.config.aws.deployers].sort();
    const statements = keyPolicy(signerKey(evaluation));
    const administration = statements.filter(
      (statement) => statement.Effect === "Allow" && grants(statement, "kms:PutKeyPolicy"),
    );
    expect(administration.flatMap(awsPrincipals).sort()).toEqual(administrators);
    const allowedToAdministrators = statements.filter(
      (statement) =>
        statement.Effect === "Allow" && awsPrincipals(statement).some((arn) => administrators.includes(arn)),
    );
    for (const statement of allowedToAdministrators) {
      expect(grants(statement, "kms:Sign"), `${statement.Sid} lets administrators sign`).toBe(false);
      expect(
        grants(statement, "kms:CreateGrant"),
        `${statement.Sid} lets administrators grant themselves signing`,
      ).toBe(false);
    }
    const denial = statements.find((statement) => statement.Effect === "Deny" && grants(statement, "kms:Sign"));
    expect(denial && awsPrincipals(denial).sort()).toEqual(administrators);
  });

  it("names every principal: no wildcard, no account root", () => {
    for (const statement of keyPolicy(signerKey(stacks[stack]))) {
      expect(statement.Principal).not.toBe("*");
      for (const principal of awsPrincipals(statement)) {
        expect(principal).not.toContain("*");
        expect(principal).not.toMatch(/:root$/);
      }
      expect(actionsOf(statement)).not.toContain("kms:*");
    }
  });

  it("exports the key id, ARN and the Ethereum address of the key's public key", () => {
    const evaluation = stacks[stack];
    const key = signerKey(evaluation);
    expect(evaluation.outputs.assistantKeyId).toBe(key.computed?.keyId);
    expect(evaluation.outputs.assistantKeyArn).toBe(key.computed?.arn);
    // The mock KMS derives each key's point from this private key: an independent route to the same address.
    const expected = privateKeyToAccount(keccak256(toHex(`mock-kms-key:${String(key.computed?.keyId)}`))).address;
    expect(evaluation.outputs.assistantAddress).toBe(expected);
  });
});

describe("address derivation from KMS's SPKI public key", () => {
  it("matches the address of the private key behind a secp256k1 SPKI", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
    const spki = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const d = privateKey.export({ format: "jwk" }).d;
    const expected = privateKeyToAccount(
      `0x${Buffer.from(String(d), "base64url").toString("hex").padStart(64, "0")}`,
    ).address;
    expect(ethereumAddressFromSpki(spki)).toBe(expected);
  });

  it("refuses a key on another curve", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    expect(() => ethereumAddressFromSpki(publicKey.export({ type: "spki", format: "der" }).toString("base64"))).toThrow(
      /secp256k1/,
    );
  });

  it("refuses bytes that are not an SPKI", () => {
    expect(() => ethereumAddressFromSpki(Buffer.from("not a key").toString("base64"))).toThrow();
  });
});
