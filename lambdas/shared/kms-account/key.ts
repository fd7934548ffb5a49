/**
 * The account's public key and address, fetched from KMS once per key per
 * process. GetPublicKey is a full KMS round trip, as long as a Sign call;
 * signers that call it on every signature double their latency.
 */
import { GetPublicKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import type { Address, Hex } from "viem";
import { publicKeyToAddress } from "viem/utils";
import { callKms } from "./client";
import { KmsAccountError } from "./errors";
import { secp256k1PublicKeyOf } from "./public-key";
import { recoveryBitFinder, type RecoveryBitFinder } from "./signature";
import type { RetryPolicy } from "../runtime/retry";

export type KmsSigningKey = {
  keyId: string;
  /** Uncompressed: 0x04 || X || Y. */
  publicKey: Hex;
  address: Address;
  recoveryBit: RecoveryBitFinder;
};

/** Per client, since one process may reach two regions or endpoints; a key id is only unique within one. */
const cache = new WeakMap<KMSClient, Map<string, Promise<KmsSigningKey>>>();

/**
 * Concurrent first callers share one GetPublicKey call; a failed call is
 * dropped from the cache so the next caller tries again.
 */
export function loadKmsSigningKey(parameters: {
  client: KMSClient;
  keyId: string;
  retryPolicy: RetryPolicy;
}): Promise<KmsSigningKey> {
  const { client, keyId } = parameters;
  let byKeyId = cache.get(client);
  if (byKeyId === undefined) {
    byKeyId = new Map();
    cache.set(client, byKeyId);
  }
  const cached = byKeyId.get(keyId);
  if (cached !== undefined) return cached;
  const loading = fetchSigningKey(parameters);
  byKeyId.set(keyId, loading);
  const keys = byKeyId;
  loading.catch(() => {
    if (keys.get(keyId) === loading) keys.delete(keyId);
  });
  return loading;
}

async function fetchSigningKey(parameters: {
  client: KMSClient;
  keyId: string;
  retryPolicy: RetryPolicy;
}): Promise<KmsSigningKey> {
  const { client, keyId, retryPolicy } = parameters;
  const output = await callKms(
    (abortSignal) => client.send(new GetPublicKeyCommand({ KeyId: keyId }), { abortSignal }),
    {
      keyId,
      operation: "GetPublicKey",
      retryPolicy,
    },
  );
  const publicKey = secp256k1PublicKeyOf(keyId, output);
  let recoveryBit: RecoveryBitFinder;
  try {
    recoveryBit = recoveryBitFinder(publicKey);
  } catch (error) {
    throw new KmsAccountError(
      {
        code: "WrongKeySpec",
        keyId,
        operation: "GetPublicKey",
        message: `KMS key ${keyId} returned a public key that is not a point on secp256k1`,
      },
      { cause: error },
    );
  }
  return { keyId, publicKey, address: publicKeyToAddress(publicKey), recoveryBit };
}
