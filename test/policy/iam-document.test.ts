import { describe, expect, it } from "vitest";
import {
  actionMatches,
  allowsAny,
  conditionValues,
  grantsAny,
  parsePolicyDocument,
  principalIds,
  readStatement,
  statementsOf,
} from "../../infra/policy/iam-document";

/**
 * The one policy reader, against the grammar AWS documents in the IAM JSON
 * policy element reference: any element may be a single value or a list,
 * `Principal: "*"` means anyone, action names are case-insensitive and take
 * `*` / `?` wildcards, and Not* elements invert their list.
 */

const read = (document: unknown) => {
  const parsed = parsePolicyDocument(document);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.statements;
};

describe("parsePolicyDocument", () => {
  it("reads single values and lists alike, from JSON text or an object", () => {
    const single = {
      Statement: {
        Sid: "One",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111122223333:role/a" },
        Action: "kms:Sign",
        Resource: "*",
      },
    };
    const listed = {
      Statement: [
        {
          Sid: "One",
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::111122223333:role/a"] },
          Action: ["kms:Sign"],
          Resource: ["*"],
        },
      ],
    };
    expect(read(JSON.stringify(single))).toEqual(read(listed));
    const [statement] = read(single);
    expect(statement).toMatchObject({
      sid: "One",
      effect: "Allow",
      principals: [{ kind: "AWS", id: "arn:aws:iam::111122223333:role/a" }],
      notPrincipal: false,
      actions: ["kms:Sign"],
      notAction: false,
      resources: ["*"],
      notResource: false,
      hasCondition: false,
    });
  });

  it('reads Principal "*" as the AWS principal anyone, and each principal kind with its ids', () => {
    const [anyone, services] = read({
      Statement: [
        { Effect: "Allow", Principal: "*", Action: "s3:GetObject" },
        {
          Effect: "Allow",
          Principal: { Service: ["lambda.amazonaws.com", "scheduler.amazonaws.com"], Federated: "cognito" },
          Action: "sts:AssumeRole",
        },
      ],
    });
    expect(anyone?.principals).toEqual([{ kind: "AWS", id: "*" }]);
    expect(principalIds(services!, "Service")).toEqual(["lambda.amazonaws.com", "scheduler.amazonaws.com"]);
    expect(principalIds(services!, "Federated")).toEqual(["cognito"]);
    expect(principalIds(services!, "AWS")).toEqual([]);
  });

  it("marks NotPrincipal, NotAction and NotResource, keeping their lists", () => {
    const [statement] = read({
      Statement: [{ Effect: "Deny", NotPrincipal: { AWS: "root" }, NotAction: "kms:Sign", NotResource: "arn:x" }],
    });
    expect(statement).toMatchObject({
      effect: "Deny",
      principals: [{ kind: "AWS", id: "root" }],
      notPrincipal: true,
      actions: ["kms:Sign"],
      notAction: true,
      resources: ["arn:x"],
      notResource: true,
    });
  });

  it("reads conditions with single values as lists of one", () => {
    const statement = readStatement({
      Effect: "Allow",
      Action: "kms:Sign",
      Condition: {
        StringEquals: { "aws:SourceVpce": "vpce-1", "kms:SigningAlgorithm": ["ECDSA_SHA_256"] },
        IpAddress: { "aws:SourceIp": ["192.0.2.1/32", "192.0.2.2/32"] },
      },
    });
    expect(statement.hasCondition).toBe(true);
    expect(conditionValues(statement, "StringEquals", "aws:SourceVpce")).toEqual(["vpce-1"]);
    expect(conditionValues(statement, "StringEquals", "kms:SigningAlgorithm")).toEqual(["ECDSA_SHA_256"]);
    expect(conditionValues(statement, "IpAddress", "aws:SourceIp")).toEqual(["192.0.2.1/32", "192.0.2.2/32"]);
    expect(conditionValues(statement, "StringLike", "aws:SourceVpce")).toEqual([]);
    expect(readStatement({ Effect: "Allow", Action: "x:Y", Condition: {} }).hasCondition).toBe(false);
  });

  it("reads a missing Sid as undefined and anything but Deny as Allow, the conservative reading", () => {
    const [missing, odd] = read({ Statement: [{ Action: "x:Y" }, { Effect: "Maybe", Action: "x:Y" }] });
    expect(missing?.sid).toBeUndefined();
    expect(missing?.effect).toBe("Allow");
    expect(odd?.effect).toBe("Allow");
  });

  it("refuses text that is not JSON, or a document without Statement, saying which", () => {
    const notJson = parsePolicyDocument("{not json");
    expect(notJson.ok).toBe(false);
    expect(!notJson.ok && notJson.error).toMatch(/^is not valid JSON: /);
    expect(parsePolicyDocument({ Version: "2012-10-17" })).toEqual({ ok: false, error: "has no Statement" });
    expect(parsePolicyDocument(null)).toEqual({ ok: false, error: "has no Statement" });
    expect(statementsOf("{not json")).toEqual([]);
  });
});

describe("actionMatches", () => {
  it.each([
    ["kms:Sign", "kms:Sign", true],
    ["KMS:sign", "kms:Sign", true],
    ["kms:*", "kms:Sign", true],
    ["kms:Sign*", "kms:Sign", true],
    ["*", "secretsmanager:GetSecretValue", true],
    ["kms:?ign", "kms:Sign", true],
    ["kms:Sign", "kms:SignAll", false],
    ["kms:Get*", "kms:Sign", false],
    ["kms.Sign", "kmsxSign", false],
  ])("%s grants %s: %s", (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });
});

describe("grantsAny and allowsAny", () => {
  const allow = readStatement({ Effect: "Allow", Action: ["kms:Get*"] });
  const deny = readStatement({ Effect: "Deny", Action: "kms:Sign" });
  const allowAllBut = readStatement({ Effect: "Allow", NotAction: "kms:Sign" });

  it("match any action against any pattern", () => {
    expect(grantsAny(allow, ["kms:Sign", "kms:GetPublicKey"])).toBe(true);
    expect(grantsAny(allow, ["kms:Sign"])).toBe(false);
  });

  it("assume the worst for NotAction: it grants whatever it does not list", () => {
    expect(grantsAny(allowAllBut, ["kms:Sign"])).toBe(true);
    expect(allowsAny(allowAllBut, ["kms:PutKeyPolicy"])).toBe(true);
  });

  it("allowsAny counts Allow statements only", () => {
    expect(grantsAny(deny, ["kms:Sign"])).toBe(true);
    expect(allowsAny(deny, ["kms:Sign"])).toBe(false);
  });
});
