/**
 * A KMS-compatible HTTP endpoint for tests. It speaks AWS JSON 1.1
 * (`X-Amz-Target: TrentService.<Operation>`), so the real `@aws-sdk/client-kms`
 * talks to it over HTTP, and it behaves like KMS where signers usually break:
 *
 * - ECDSA signatures are not deterministic and are not normalised, so high-s
 *   comes back about as often as low-s;
 * - r and s are minimal DER INTEGERs, so their encodings are 31, 32 or 33 bytes
 *   (33 when the top bit is set, fewer when leading bytes are zero);
 * - errors have KMS's names, HTTP statuses and `{ __type, message }` bodies;
 * - keys can be disabled or pending deletion, have other specs (ECC_NIST_P256,
 *   RSA_2048) or usages, and faults (throttling, access denied, resets) can be
 *   injected per operation.
 *
 * Every request is counted by operation, so tests can assert call counts.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KMSClient, type KMSClientConfig } from "@aws-sdk/client-kms";
import { derSignature, keyMaterial, recordStats, signWithShape, type EcdsaKey } from "./kms-key-material";

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

type KeyRecord = {
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

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const ACCOUNT_ID = "111122223333";
const ROLE_ARN = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/test-role/test-session`;
const ALLOWED_USAGES: Record<KmsKeySpec, readonly KmsKeyUsage[]> = {
  ECC_SECG_P256K1: ["SIGN_VERIFY"],
  ECC_NIST_P256: ["SIGN_VERIFY", "KEY_AGREEMENT"],
  RSA_2048: ["SIGN_VERIFY", "ENCRYPT_DECRYPT"],
};
const SIGNING_ALGORITHMS: Record<KmsKeySpec, readonly string[]> = {
  ECC_SECG_P256K1: ["ECDSA_SHA_256"],
  ECC_NIST_P256: ["ECDSA_SHA_256"],
  RSA_2048: ["RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_256"],
};
const FAULT_STATUS: Partial<Record<KmsFaultError, number>> = {
  KMSInternalException: 500,
  DependencyTimeoutException: 503,
  KeyUnavailableException: 500,
};

/** Starts the endpoint on a free port of 127.0.0.1. */
export async function startKmsEndpoint(options: { region?: string } = {}): Promise<KmsEndpoint> {
  const region = options.region ?? "us-east-1";
  const keys = new Map<string, KeyRecord>();
  const faults: KmsFault[] = [];
  let shape: SignatureShape = "any";
  let counts = zeroCounts();
  let stats = zeroStats();

  const findKey = (reference: unknown): KeyRecord => {
    const ref = typeof reference === "string" ? reference : "";
    const record = keys.get(ref) ?? [...keys.values()].find((key) => key.arn === ref || key.alias === ref);
    if (record === undefined) throw new KmsError("NotFoundException", `Invalid keyId '${ref}'`);
    return record;
  };

  const addKey = (opts: CreateKeyOptions): KeyRecord => {
    const keySpec = opts.keySpec ?? "ECC_SECG_P256K1";
    const keyUsage = opts.keyUsage ?? "SIGN_VERIFY";
    if (!ALLOWED_USAGES[keySpec].includes(keyUsage)) {
      throw new KmsError("ValidationException", `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
    }
    const keyId = opts.keyId ?? randomUUID();
    const record: KeyRecord = {
      keyId,
      arn: `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${keyId}`,
      keySpec,
      reportedKeySpec: opts.reportedKeySpec ?? keySpec,
      keyUsage,
      state: opts.state ?? "Enabled",
      created: new Date(),
      ...keyMaterial(keySpec, opts.privateKey),
      ...(opts.alias === undefined ? {} : { alias: opts.alias }),
    };
    keys.set(keyId, record);
    return record;
  };

  const takeFault = (operation: KmsOperation, keyRef: unknown): KmsFaultError | undefined => {
    const index = faults.findIndex(
      (fault) =>
        (fault.operation === undefined || fault.operation === operation) &&
        (fault.keyId === undefined || fault.keyId === keyRef || matchesKey(keys, fault.keyId, keyRef)),
    );
    const fault = faults[index];
    if (fault === undefined) return undefined;
    if (fault.times !== undefined && --fault.times <= 0) faults.splice(index, 1);
    return fault.error;
  };

  const sign = (input: Record<string, unknown>) => {
    const key = findKey(input.KeyId);
    assertUsable(key);
    if (key.keyUsage !== "SIGN_VERIFY") {
      throw new KmsError(
        "InvalidKeyUsageException",
        `${key.arn} key usage is ${key.keyUsage} which is not valid for Sign.`,
      );
    }
    const algorithm = String(input.SigningAlgorithm);
    if (!SIGNING_ALGORITHMS[key.keySpec].includes(algorithm) || key.ecdsa === undefined) {
      throw new KmsError(
        "InvalidKeyUsageException",
        `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`,
      );
    }
    const message = Buffer.from(String(input.Message), "base64");
    const digest = messageDigest(message, input.MessageType);
    const { r, s } = signWithShape(key.ecdsa, digest, shape);
    const der = derSignature(r, s);
    recordStats(stats, key.ecdsa.curve, r, s);
    return { KeyId: key.arn, Signature: der.toString("base64"), SigningAlgorithm: algorithm };
  };

  const handlers: Record<KmsOperation, (input: Record<string, unknown>) => unknown> = {
    CreateKey: (input) => {
      const record = addKey({
        keySpec: (input.KeySpec ?? input.CustomerMasterKeySpec) as KmsKeySpec,
        keyUsage: (input.KeyUsage ?? "ENCRYPT_DECRYPT") as KmsKeyUsage,
      });
      return { KeyMetadata: keyMetadata(record) };
    },
    DescribeKey: (input) => ({ KeyMetadata: keyMetadata(findKey(input.KeyId)) }),
    GetPublicKey: (input) => {
      const key = findKey(input.KeyId);
      assertUsable(key);
      return { KeyId: key.arn, PublicKey: key.spki.toString("base64"), ...keySpecFields(key) };
    },
    Sign: sign,
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const target = request.headers["x-amz-target"];
    const operation = typeof target === "string" ? target.replace(/^TrentService\./, "") : "";
    const body = await readBody(request);
    if (!isOperation(operation)) {
      return reply(response, 400, {
        __type: "UnknownOperationException",
        message: `Unsupported target ${String(target)}`,
      });
    }
    counts[operation] += 1;
    try {
      if (request.headers.authorization === undefined) {
        throw new KmsError("MissingAuthenticationTokenException", "Missing Authentication Token");
      }
      const input = JSON.parse(body || "{}") as Record<string, unknown>;
      const fault = takeFault(operation, input.KeyId);
      if (fault === "ConnectionReset") return void request.socket.destroy();
      if (fault !== undefined) throw faultError(fault, operation, input.KeyId);
      reply(response, 200, handlers[operation](input));
    } catch (error) {
      const kmsError = error instanceof KmsError ? error : new KmsError("KMSInternalException", "internal error", 500);
      reply(response, kmsError.status, { __type: kmsError.type, message: kmsError.message });
    }
  };

  const closeServer = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP, so never a pipe name
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    region,
    client: (config = {}) =>
      new KMSClient({
        endpoint: url,
        region,
        credentials: { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-test-secret" },
        maxAttempts: 1,
        ...config,
      }),
    createKey: (opts = {}) => {
      const record = addKey(opts);
      return { keyId: record.keyId, arn: record.arn, keySpec: record.keySpec, keyUsage: record.keyUsage };
    },
    setKeyState: (keyId, state) => {
      findKey(keyId).state = state;
    },
    injectFault: (fault) => {
      faults.push({ ...fault });
    },
    clearFaults: () => {
      faults.length = 0;
    },
    setSignatureShape: (next) => {
      shape = next;
    },
    calls: () => ({ ...counts }),
    signatureStats: () => ({ ...stats, integerLengths: { ...stats.integerLengths } }),
    resetCounters: () => {
      counts = zeroCounts();
      stats = zeroStats();
    },
    stop: () => closeServer(),
    start: () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)),
    close: () => (server.listening ? closeServer() : Promise.resolve()),
  };
}

/** KMS hashes RAW messages itself and expects a digest of the algorithm's size for DIGEST. */
function messageDigest(message: Buffer, messageType: unknown): Uint8Array {
  if (messageType === "DIGEST") {
    if (message.length !== 32) {
      throw new KmsError("ValidationException", "Digest is invalid length for algorithm ECDSA_SHA_256.");
    }
    return message;
  }
  if (message.length > 4096) throw new KmsError("ValidationException", "Message exceeds 4096 bytes.");
  return createHash("sha256").update(message).digest();
}

function assertUsable(key: KeyRecord): void {
  if (key.state === "Disabled") throw new KmsError("DisabledException", `${key.arn} is disabled.`);
  if (key.state === "PendingDeletion") {
    throw new KmsError("KMSInvalidStateException", `${key.arn} is pending deletion.`);
  }
}

function faultError(
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

function keySpecFields(key: KeyRecord) {
  return {
    KeySpec: key.reportedKeySpec,
    CustomerMasterKeySpec: key.reportedKeySpec,
    KeyUsage: key.keyUsage,
    ...(key.keyUsage === "SIGN_VERIFY" ? { SigningAlgorithms: SIGNING_ALGORITHMS[key.reportedKeySpec] } : {}),
    ...(key.keyUsage === "ENCRYPT_DECRYPT" ? { EncryptionAlgorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] } : {}),
    ...(key.keyUsage === "KEY_AGREEMENT" ? { KeyAgreementAlgorithms: ["ECDH"] } : {}),
  };
}

function keyMetadata(key: KeyRecord) {
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

function matchesKey(keys: Map<string, KeyRecord>, faultKey: string, keyRef: unknown): boolean {
  const record = keys.get(faultKey) ?? [...keys.values()].find((key) => key.arn === faultKey || key.alias === faultKey);
  return record !== undefined && (record.keyId === keyRef || record.arn === keyRef || record.alias === keyRef);
}

function isOperation(name: string): name is KmsOperation {
  return name === "CreateKey" || name === "DescribeKey" || name === "GetPublicKey" || name === "Sign";
}

function zeroCounts(): Record<KmsOperation, number> {
  return { CreateKey: 0, DescribeKey: 0, GetPublicKey: 0, Sign: 0 };
}

function zeroStats(): SignatureStats {
  return { count: 0, highS: 0, integerLengths: {} };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer); // http request streams yield Buffers
  return Buffer.concat(chunks).toString("utf8");
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomUUID(),
  });
  response.end(text);
}
