/**
 * The KMS test endpoint is shared by later test suites, so its KMS-likeness is
 * tested here, through the real SDK.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  DisabledException,
  GetPublicKeyCommand,
  KMSInvalidStateException,
  NotFoundException,
  SignCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { secp256k1 } from "@noble/curves/secp256k1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKmsEndpoint, type KmsEndpoint } from "../harness/kms-endpoint";

let endpoint: KmsEndpoint;
let client: KMSClient;
beforeAll(async () => {
  endpoint = await startKmsEndpoint();
  client = endpoint.client();
});
afterAll(async () => {
  await endpoint.close();
});

/** The 65-byte point at the end of a secp256k1 SPKI (its layout is fixed). */
const pointOf = (spki: Uint8Array) => spki.subarray(spki.length - 65);

describe("KMS test endpoint", () => {
  it("creates keys over the API, describes them, and counts calls by operation", async () => {
    endpoint.resetCounters();
    const created = await client.send(new CreateKeyCommand({ KeySpec: "ECC_SECG_P256K1", KeyUsage: "SIGN_VERIFY" }));
    const keyId = created.KeyMetadata?.KeyId ?? "";
    const described = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata).toMatchObject({
      KeyId: keyId,
      KeySpec: "ECC_SECG_P256K1",
      KeyUsage: "SIGN_VERIFY",
      KeyState: "Enabled",
      Enabled: true,
    });
    expect(described.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    expect(endpoint.calls()).toEqual({ CreateKey: 1, DescribeKey: 1, GetPublicKey: 0, Sign: 0 });
    await expect(
      client.send(new CreateKeyCommand({ KeySpec: "ECC_SECG_P256K1", KeyUsage: "ENCRYPT_DECRYPT" })),
    ).rejects.toThrow(/not compatible/);
  });

  it("signs a DIGEST as given and a RAW message after SHA-256, not deterministically", async () => {
    const { keyId } = endpoint.createKey();
    const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    const point = pointOf(PublicKey ?? new Uint8Array());
    const digest = randomBytes(32);
    const sign = async (Message: Uint8Array, MessageType: "DIGEST" | "RAW") =>
      (await client.send(new SignCommand({ KeyId: keyId, Message, MessageType, SigningAlgorithm: "ECDSA_SHA_256" })))
        .Signature ?? new Uint8Array();
    const first = await sign(digest, "DIGEST");
    const second = await sign(digest, "DIGEST");
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
    for (const der of [first, second]) expect(secp256k1.verify(der, digest, point, { lowS: false })).toBe(true);
    const message = randomBytes(100);
    const raw = await sign(message, "RAW");
    expect(secp256k1.verify(raw, createHash("sha256").update(message).digest(), point, { lowS: false })).toBe(true);
    await expect(sign(randomBytes(31), "DIGEST")).rejects.toThrow(/invalid length/);
  });

  it("answers with KMS's error types", async () => {
    const { keyId } = endpoint.createKey();
    await expect(client.send(new GetPublicKeyCommand({ KeyId: "missing" }))).rejects.toBeInstanceOf(NotFoundException);
    endpoint.setKeyState(keyId, "Disabled");
    await expect(client.send(new GetPublicKeyCommand({ KeyId: keyId }))).rejects.toBeInstanceOf(DisabledException);
    endpoint.setKeyState(keyId, "PendingDeletion");
    await expect(client.send(new GetPublicKeyCommand({ KeyId: keyId }))).rejects.toBeInstanceOf(
      KMSInvalidStateException,
    );
    expect((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe("PendingDeletion");
  });

  it("injects faults for a number of calls, per operation and key", async () => {
    const { keyId } = endpoint.createKey();
    const { keyId: otherKey } = endpoint.createKey();
    endpoint.injectFault({ operation: "GetPublicKey", keyId, error: "ThrottlingException", times: 2 });
    const getPublicKey = (id: string) => client.send(new GetPublicKeyCommand({ KeyId: id }));
    await expect(getPublicKey(otherKey)).resolves.toBeDefined();
    await expect(getPublicKey(keyId)).rejects.toMatchObject({
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(getPublicKey(keyId)).rejects.toMatchObject({ name: "ThrottlingException" });
    await expect(getPublicKey(keyId)).resolves.toBeDefined();
  });
});
