/**
 * One signature: exactly one KMS Sign call (DIGEST, ECDSA_SHA_256) when KMS is
 * healthy, then low-s normalisation and the recovery bit, computed locally.
 */
import { SignCommand, type KMSClient } from "@aws-sdk/client-kms";
import { hexToBytes, numberToHex, size, type Hash, type Signature } from "viem";
import { callKms, type KmsCallStats } from "./client";
import { DerError } from "./der";
import { KmsAccountError } from "./errors";
import type { KmsSigningKey } from "./key";
import { parseDerSignature, toLowS } from "./signature";
import type { RetryPolicy } from "../runtime/retry";

/** What was signed: a metric dimension, never the content. */
export type SignatureKind = "hash" | "message" | "typedData" | "transaction" | "authorization";

/** What the observer learns about one signature. Deliberately no digest, signature or payload. */
export type KmsSignatureMetric = {
  keyId: string;
  kind: SignatureKind;
  ok: boolean;
  /** Wall time of the whole signature, KMS calls, backoff and local work included. */
  durationMs: number;
  /** Of which inside KMS calls. */
  kmsMs: number;
  /** Sign requests sent (1 unless retried). */
  attempts: number;
  /** Of which KMS throttled. */
  throttles: number;
  /** The region's key that answered (or failed): the replica after a failover. */
  target: "primary" | "replica";
};

export type KmsSignatureObserver = (metric: KmsSignatureMetric) => void;

export type SignDigestParameters = {
  client: KMSClient;
  key: KmsSigningKey;
  hash: Hash;
  kind: SignatureKind;
  retryPolicy: RetryPolicy;
  observer?: KmsSignatureObserver | undefined;
  /** Which of the key's regions this call goes to; `primary` by default. */
  target?: "primary" | "replica";
};

/** Signs a 32-byte digest with the KMS key; viem serialises `v` for each payload kind from the result. */
export async function signDigest(parameters: SignDigestParameters): Promise<Signature> {
  const { client, key, hash, kind, retryPolicy, observer, target = "primary" } = parameters;
  if (size(hash) !== 32) throw new Error(`a digest to sign must be 32 bytes, got ${size(hash)}`);
  const started = performance.now();
  const stats: KmsCallStats = { attempts: 0, kmsMs: 0, throttles: 0 };
  let ok = false;
  try {
    const output = await callKms(
      (abortSignal) =>
        client.send(
          new SignCommand({
            KeyId: key.keyId,
            Message: hexToBytes(hash),
            MessageType: "DIGEST",
            SigningAlgorithm: "ECDSA_SHA_256",
          }),
          { abortSignal },
        ),
      { keyId: key.keyId, operation: "Sign", retryPolicy, stats },
    );
    const signature = toEthereumSignature(key, hash, output.Signature);
    ok = true;
    return signature;
  } finally {
    notify(observer, {
      keyId: key.keyId,
      kind,
      ok,
      durationMs: performance.now() - started,
      kmsMs: stats.kmsMs,
      attempts: stats.attempts,
      throttles: stats.throttles ?? 0,
      target,
    });
  }
}

function toEthereumSignature(key: KmsSigningKey, hash: Hash, der: Uint8Array | undefined): Signature {
  const invalid = (reason: string, cause?: unknown) =>
    new KmsAccountError(
      {
        code: "InvalidKmsResponse",
        keyId: key.keyId,
        operation: "Sign",
        message: `KMS Sign for key ${key.keyId} ${reason}`,
      },
      { cause },
    );
  if (der === undefined) throw invalid("returned no Signature");
  let signature;
  try {
    signature = toLowS(parseDerSignature(der));
  } catch (error) {
    if (error instanceof DerError) throw invalid(`returned a malformed DER signature: ${error.message}`, error);
    throw error;
  }
  const yParity = key.recoveryBit(hash, signature);
  if (yParity === undefined) {
    throw invalid(
      "returned a signature that recovers to neither bit of the key's public key (wrong key or corrupted response)",
    );
  }
  return {
    r: numberToHex(signature.r, { size: 32 }),
    s: numberToHex(signature.s, { size: 32 }),
    v: yParity ? 28n : 27n,
    yParity,
  };
}

/** Metrics must never break signing, so an observer's failure is swallowed. */
function notify(observer: KmsSignatureObserver | undefined, metric: KmsSignatureMetric): void {
  try {
    observer?.(metric);
  } catch {
    // ignored on purpose: a failed metric must not fail a withdrawal
  }
}
