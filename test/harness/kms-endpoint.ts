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
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KMSClient } from "@aws-sdk/client-kms";
import type {
  CreateKeyOptions,
  KmsEndpoint,
  KmsFault,
  KmsFaultError,
  KmsOperation,
  KmsKeySpec,
  KmsKeyUsage,
  SignatureShape,
  SignatureStats,
} from "./kms-endpoint-types";
import { derSignature, keyMaterial, recordStats, signWithShape } from "./kms-key-material";
import {
  ACCOUNT_ID,
  ALLOWED_USAGES,
  assertUsable,
  faultError,
  KmsError,
  keyMetadata,
  keySpecFields,
  matchesKey,
  messageDigest,
  SIGNING_ALGORITHMS,
  type KeyRecord,
} from "./kms-semantics";

export type * from "./kms-endpoint-types";

/** Starts the endpoint on a free port of 127.0.0.1. */
export async function startKmsEndpoint(options: { region?: string } = {}): Promise<KmsEndpoint> {
  const region = options.region ?? "us-east-1";
  const keys = new Map<string, KeyRecord>();
  const faults: KmsFault[] = [];
  let shape: SignatureShape = "any";
  let counts = zeroCounts();
  let stats = zeroStats();

  // Alias name -> key id. An alias is regional: this endpoint's aliases name only its own keys.
  const aliases = new Map<string, string>();
  const aliasArnPrefix = `arn:aws:kms:${region}:${ACCOUNT_ID}:`;

  const findKey = (reference: unknown): KeyRecord => {
    const ref = typeof reference === "string" ? reference : "";
    const aliasName = ref.startsWith(`${aliasArnPrefix}alias/`) ? ref.slice(aliasArnPrefix.length) : ref;
    if (aliasName.startsWith("alias/") && !aliasName.startsWith("alias/aws/")) {
      const target = aliases.get(aliasName);
      const aliased = target === undefined ? undefined : keys.get(target);
      if (aliased !== undefined) return aliased;
      // KMS names the alias by its ARN, whichever form the caller used, with HTTP 400.
      if ([...keys.values()].every((key) => key.alias !== aliasName))
        throw new KmsError("NotFoundException", `Alias ${aliasArnPrefix}${aliasName} is not found.`);
    }
    const record = keys.get(ref) ?? [...keys.values()].find((key) => key.arn === ref || key.alias === ref);
    if (record === undefined) throw new KmsError("NotFoundException", `Invalid keyId '${ref}'`);
    return record;
  };

  const createAlias = (aliasName: string, targetKeyId: string) => {
    if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(aliasName) || aliasName.length > 256)
      throw new KmsError(
        "ValidationException",
        `Alias ${aliasName} must start with alias/ and use only [a-zA-Z0-9/_-]`,
      );
    if (aliasName.startsWith("alias/aws/"))
      throw new KmsError("NotAuthorizedException", "Cannot create alias with prefix 'alias/aws/'");
    if (aliases.has(aliasName))
      throw new KmsError(
        "AlreadyExistsException",
        `An alias with the name ${aliasArnPrefix}${aliasName} already exists`,
      );
    const target = keys.get(targetKeyId) ?? [...keys.values()].find((key) => key.arn === targetKeyId);
    // A key of another region (or account) is not found here: an alias targets a key in its own region.
    if (target === undefined) throw new KmsError("NotFoundException", `Invalid keyId '${targetKeyId}'`);
    aliases.set(aliasName, target.keyId);
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
    createAlias,
    deleteAlias: (aliasName) => {
      if (!aliases.delete(aliasName))
        throw new KmsError("NotFoundException", `Alias ${aliasArnPrefix}${aliasName} is not found.`);
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
