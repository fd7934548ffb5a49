import type { KMSClient, KMSClientConfig } from "@aws-sdk/client-kms";

/** What the tests' KMS endpoint offers: its keys, the faults it injects, the counters it keeps. */

export type KmsOperation = "CreateKey" | "DescribeKey" | "GetPublicKey" | "Sign";
export type KmsKeySpec = "ECC_SECG_P256K1" | "ECC_NIST_P256" | "RSA_2048";
export type KmsKeyUsage = "SIGN_VERIFY" | "ENCRYPT_DECRYPT" | "KEY_AGREEMENT";
export type KmsKeyState = "Enabled" | "Disabled" | "PendingDeletion";

/** Errors the endpoint can be told to return; `ConnectionReset` drops the socket instead. */
export type KmsFaultError =
  | "ThrottlingException"
  | "AccessDeniedException"
  | "NotFoundException"
  | "DisabledException"
  | "KMSInvalidStateException"
  | "InvalidKeyUsageException"
  | "KMSInternalException"
  | "DependencyTimeoutException"
  | "KeyUnavailableException"
  | "ConnectionReset";

export type KmsFault = {
  error: KmsFaultError;
  /** Only requests for this operation fail; all operations when omitted. */
  operation?: KmsOperation;
  /** Only requests for this key (id, ARN or alias) fail; all keys when omitted. */
  keyId?: string;
  /** How many matching requests fail; every one when omitted. */
  times?: number;
};

/**
 * Forces the shape of the next signatures (by re-signing with fresh
 * randomness until it holds): `short-r` / `short-s` mean a DER INTEGER of 31
 * content bytes or fewer, so tests need not wait for the 1-in-512 case.
 */
export type SignatureShape = "any" | "high-s" | "low-s" | "short-r" | "short-s";

export type CreateKeyOptions = {
  keySpec?: KmsKeySpec;
  keyUsage?: KmsKeyUsage;
  /** Seed a secp256k1 key with known material (32-byte hex, no 0x needed). */
  privateKey?: string;
  /**
   * Give the key this id instead of a random one: with the same `privateKey` on two endpoints,
   * a multi-Region primary and its replica (same `mrk-` id and material, another region in the ARN).
   */
  keyId?: string;
  alias?: `alias/${string}`;
  state?: KmsKeyState;
  /** Report this spec in GetPublicKey/DescribeKey while the material is `keySpec`: a lying KMS, to test the SPKI check. */
  reportedKeySpec?: KmsKeySpec;
};

export type CreatedKey = { keyId: string; arn: string; keySpec: KmsKeySpec; keyUsage: KmsKeyUsage };

export type SignatureStats = {
  /** Signatures returned. */
  count: number;
  /** Of those, how many had s > n/2 (before any client normalisation). */
  highS: number;
  /** Histogram of DER INTEGER content lengths of r and s (two entries per signature). */
  integerLengths: Record<number, number>;
};

export type KmsEndpoint = {
  /** `http://127.0.0.1:<port>` */
  url: string;
  region: string;
  /** A real KMS client pointed here: static test credentials, `maxAttempts: 1` so the SDK adds no retries of its own. */
  client(config?: KMSClientConfig): KMSClient;
  /** Creates a key directly (no HTTP call, not counted). */
  createKey(options?: CreateKeyOptions): CreatedKey;
  setKeyState(keyId: string, state: KmsKeyState): void;
  /**
   * Creates an alias directly (no HTTP call, not counted), with KMS's rules: a name `alias/` + [a-zA-Z0-9/_-]
   * (256 at most, never `alias/aws/`), unique in this region, for a key of this region (id or ARN).
   */
  createAlias(aliasName: string, targetKeyId: string): void;
  /** Deletes an alias; the key stays. */
  deleteAlias(aliasName: string): void;
  injectFault(fault: KmsFault): void;
  clearFaults(): void;
  setSignatureShape(shape: SignatureShape): void;
  /** Requests received, by operation (faulted ones included). */
  calls(): Readonly<Record<KmsOperation, number>>;
  signatureStats(): Readonly<SignatureStats>;
  /** Zeroes `calls()` and `signatureStats()`. */
  resetCounters(): void;
  /** Stops answering (connections refused), as during a regional outage; `start` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
};
