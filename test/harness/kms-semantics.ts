import { createHash } from "node:crypto";
import type { EcdsaKey } from "./kms-key-material";
import type { KmsFaultError, KmsKeySpec, KmsKeyState, KmsKeyUsage, KmsOperation } from "./kms-endpoint-types";

/**
 * How KMS answers, as the endpoint mimics it: the key record, error names
 * and statuses, which usages and signing algorithms each key spec allows,
 * the key metadata it returns and the messages of injected faults.
 */

export type KeyRecord = {
  keyId: string;
  arn: string;
  alias?: string;
  keySpec: KmsKeySpec;
  reportedKeySpec: KmsKeySpec;
  keyUsage: KmsKeyUsage;
  state: KmsKeyState;
  created: Date;
  spki: Buffer;
  /** ECC keys only. */
  ecdsa?: EcdsaKey;
};

export class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const ACCOUNT_ID = "111122223333";
const ROLE_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/test-role/test-session`;
export const ALLOWED_USAGES: Record<KmsKeySpec, readonly KmsKeyUsage[]> = {
  ECC_SECG_P256K1: ["SIGN_VERIFY"],
  ECC_NIST_P256: ["SIGN_VERIFY", "KEY_AGREEMENT"],
  RSA_2048: ["SIGN_VERIFY", "ENCRYPT_DECRYPT"],
};
export const SIGNING_ALGORITHMS: Record<KmsKeySpec, readonly string[]> = {
  ECC_SECG_P256K1: ["ECDSA_SHA_256"],
  ECC_NIST_P256: ["ECDSA_SHA_256"],
  RSA_2048: ["RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_256"],
};
const FAULT_STATUS: Partial<Record<KmsFaultError, number>> = {
  KMSInternalException: 500,
  DependencyTimeoutException: 503,
  KeyUnavailableException: 500,
};

/** KMS hashes RAW messages itself and expects a digest of the algorithm's size for DIGEST. */
export function messageDigest(message: Buffer, messageType: unknown): Uint8Array {
  if (messageType === "DIGEST") {
    if (message.length !== 32) {
      throw new KmsError("ValidationException", "Digest is invalid length for algorithm ECDSA_SHA_256.");
    }
    return message;
  }
  if (message.length > 4096) throw new KmsError("ValidationException", "Message exceeds 4096 bytes.");
  return createHash("sha256").update(message).digest();
}

export function assertUsable(key: KeyRecord): void {
  if (key.state === "Disabled") throw new KmsError("DisabledException", `${key.arn} is disabled.`);
  if (key.state === "PendingDeletion") {
    throw new KmsError("KMSInvalidStateException", `${key.arn} is pending deletion.`);
  }
}

export function faultError(
  fault: Exclude<KmsFaultError, "ConnectionReset">,
  operation: KmsOperation,
  keyRef: unknown,
): KmsError {
  const messages: Record<typeof fault, string> = {
    ThrottlingException: "Rate exceeded",
    AccessDeniedException: `User: ${ROLE_ARN} is not authorized to perform: kms:${operation} on resource: ${String(keyRef)} because no identity-based policy allows the kms:${operation} action`,
    NotFoundException: `Key '${String(keyRef)}' does not exist`,
    DisabledException: `${String(keyRef)} is disabled.`,
    KMSInvalidStateException: `${String(keyRef)} is pending deletion.`,
    InvalidKeyUsageException: `${String(keyRef)} key usage is ENCRYPT_DECRYPT which is not valid for ${operation}.`,
    KMSInternalException: "An internal error occurred.",
    DependencyTimeoutException: "The system timed out while trying to fulfill the request.",
    KeyUnavailableException: `${String(keyRef)} is unavailable.`,
  };
  return new KmsError(fault, messages[fault], FAULT_STATUS[fault] ?? 400);
}

export function keySpecFields(key: KeyRecord) {
  return {
    KeySpec: key.reportedKeySpec,
    CustomerMasterKeySpec: key.reportedKeySpec,
    KeyUsage: key.keyUsage,
    ...(key.keyUsage === "SIGN_VERIFY" ? { SigningAlgorithms: SIGNING_ALGORITHMS[key.reportedKeySpec] } : {}),
    ...(key.keyUsage === "ENCRYPT_DECRYPT" ? { EncryptionAlgorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] } : {}),
    ...(key.keyUsage === "KEY_AGREEMENT" ? { KeyAgreementAlgorithms: ["ECDH"] } : {}),
  };
}

export function keyMetadata(key: KeyRecord) {
  return {
    AWSAccountId: ACCOUNT_ID,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.created.getTime() / 1000,
    Enabled: key.state === "Enabled",
    KeyState: key.state,
    KeyManager: "CUSTOMER",
    Origin: "AWS_KMS",
    MultiRegion: false,
    Description: "",
    ...keySpecFields(key),
  };
}

export function matchesKey(keys: Map<string, KeyRecord>, faultKey: string, keyRef: unknown): boolean {
  const record = keys.get(faultKey) ?? [...keys.values()].find((key) => key.arn === faultKey || key.alias === faultKey);
  return record !== undefined && (record.keyId === keyRef || record.arn === keyRef || record.alias === keyRef);
}
