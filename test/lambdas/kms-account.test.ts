import { randomBytes } from "node:crypto";
import {
  bytesToHex,
  hexToBigInt,
  parseSignature,
  parseTransaction,
  recoverAddress,
  recoverPublicKey,
  recoverTransactionAddress,
  verifyMessage,
  verifyTypedData,
  type Hex,
  type TransactionSerializableEIP4844,
  type TransactionSerializedEIP4844,
} from "viem";
import { privateKeyToAccount, publicKeyToAddress } from "viem/accounts";
import { recoverAuthorizationAddress } from "viem/utils";
import { describe, expect, it } from "vitest";
import { kmsAccount, type KmsSignatureMetric } from "../../lambdas/shared/kms-account/account";
import { randomDigest, useKmsEndpoint } from "../harness/kms-test-accounts";

const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
const kms = useKmsEndpoint();
const freshAccount = kms.freshAccount;

describe("kmsAccount address", () => {
  it("derives the address of the key material KMS holds", async () => {
    const privateKey = randomDigest();
    const { keyId } = kms.endpoint.createKey({ privateKey });
    const account = await kmsAccount({ keyId, client: kms.endpoint.client() });
    expect(account.address).toBe(privateKeyToAccount(privateKey).address);
    expect(publicKeyToAddress(account.publicKey)).toBe(account.address);
    expect(account.source).toBe("aws-kms");
    expect(account.type).toBe("local");
  });

  it("resolves keys by ARN and by alias as well as by id", async () => {
    const { keyId, arn } = kms.endpoint.createKey({ alias: "alias/boson-seller" });
    const byId = await kmsAccount({ keyId, client: kms.endpoint.client() });
    const byArn = await kmsAccount({ keyId: arn, client: kms.endpoint.client() });
    const byAlias = await kmsAccount({ keyId: "alias/boson-seller", client: kms.endpoint.client() });
    expect(byArn.address).toBe(byId.address);
    expect(byAlias.address).toBe(byId.address);
  });
});

describe("kmsAccount.sign over 1,000 random digests", () => {
  it("returns low-s signatures that recover to the address, though KMS returned high-s for many", async () => {
    const { account } = await freshAccount();
    kms.endpoint.resetCounters();
    const digests = Array.from({ length: 1_000 }, randomDigest);
    const signatures: Hex[] = [];
    // A few in flight at a time, like a busy job; order is kept.
    for (let start = 0; start < digests.length; start += 8) {
      const batch = digests.slice(start, start + 8);
      signatures.push(...(await Promise.all(batch.map((hash) => account.sign({ hash })))));
    }
    const stats = kms.endpoint.signatureStats();
    expect(stats.count).toBe(1_000);
    // KMS does not normalise: the high-s branch must have run for a good share.
    expect(stats.highS).toBeGreaterThan(350);
    expect(stats.highS).toBeLessThan(650);
    // Minimal DER: 33-byte INTEGERs (top bit set) are common.
    expect(stats.integerLengths[33] ?? 0).toBeGreaterThan(700);

    for (const [index, signature] of signatures.entries()) {
      const hash = digests[index] as Hex;
      const { s, v, yParity } = parseSignature(signature);
      expect(hexToBigInt(s) <= HALF_N).toBe(true);
      expect(v === 27n || v === 28n).toBe(true);
      expect(v).toBe(27n + BigInt(yParity));
      expect(await recoverAddress({ hash, signature })).toBe(account.address);
    }
  });

  it.each(["high-s", "low-s", "short-r", "short-s"] as const)("handles %s signatures from KMS", async (shape) => {
    const { account } = await freshAccount();
    kms.endpoint.setSignatureShape(shape);
    kms.endpoint.resetCounters();
    try {
      for (let i = 0; i < 3; i++) {
        const hash = randomDigest();
        const signature = await account.sign({ hash });
        expect(signature).toHaveLength(2 + 65 * 2);
        expect(hexToBigInt(parseSignature(signature).s) <= HALF_N).toBe(true);
        expect(await recoverAddress({ hash, signature })).toBe(account.address);
      }
    } finally {
      kms.endpoint.setSignatureShape("any");
    }
    const { highS, integerLengths } = kms.endpoint.signatureStats();
    if (shape === "high-s") expect(highS).toBe(3);
    if (shape === "low-s") expect(highS).toBe(0);
    if (shape === "short-r" || shape === "short-s") {
      const short = Object.entries(integerLengths).filter(([length]) => Number(length) <= 31);
      expect(short.reduce((sum, [, count]) => sum + count, 0)).toBeGreaterThanOrEqual(3);
    }
  });

  it("refuses a digest that is not 32 bytes, before calling KMS", async () => {
    const { account } = await freshAccount();
    kms.endpoint.resetCounters();
    await expect(account.sign({ hash: "0x1234" })).rejects.toThrow(/32 bytes/);
    expect(kms.endpoint.calls().Sign).toBe(0);
  });
});

describe("messages, typed data and authorizations", () => {
  it("signMessage verifies with viem's verifyMessage (EIP-191)", async () => {
    const { account } = await freshAccount();
    for (const message of ["hello boson", { raw: randomDigest() }] as const) {
      const signature = await account.signMessage({ message });
      expect(await verifyMessage({ address: account.address, message, signature })).toBe(true);
      expect(await verifyMessage({ address: privateKeyToAccount(randomDigest()).address, message, signature })).toBe(
        false,
      );
    }
  });

  it("signTypedData verifies with viem's verifyTypedData (EIP-712), v = 27/28", async () => {
    const { account } = await freshAccount();
    const typedData = {
      domain: {
        name: "Boson",
        version: "1",
        chainId: 31337,
        verifyingContract: "0x59f2b0b6a8d2f3b8e2c9d1f0a1b2c3d4e5f60718",
      },
      types: {
        Withdraw: [
          { name: "sellerId", type: "uint256" },
          { name: "amount", type: "uint256" },
        ],
      },
      primaryType: "Withdraw",
      message: { sellerId: 7n, amount: 10n ** 18n },
    } as const;
    for (let i = 0; i < 10; i++) {
      const signature = await account.signTypedData(typedData);
      expect(["1b", "1c"]).toContain(signature.slice(-2));
      expect(await verifyTypedData({ address: account.address, ...typedData, signature })).toBe(true);
      expect(
        await verifyTypedData({
          address: account.address,
          ...typedData,
          message: { sellerId: 8n, amount: 10n ** 18n },
          signature,
        }),
      ).toBe(false);
    }
  });

  it("signAuthorization recovers to the account (EIP-7702)", async () => {
    const { account } = await freshAccount();
    const contractAddress = privateKeyToAccount(randomDigest()).address;
    for (let nonce = 0; nonce < 10; nonce++) {
      const authorization = await account.signAuthorization({ contractAddress, chainId: 31337, nonce });
      expect(authorization).toMatchObject({ address: contractAddress, chainId: 31337, nonce });
      expect(authorization.yParity === 0 || authorization.yParity === 1).toBe(true);
      expect(await recoverAuthorizationAddress({ authorization })).toBe(account.address);
    }
  });

  it("signs an EIP-4844 transaction over its payload without sidecars, and keeps the sidecars in the output", async () => {
    const { account } = await freshAccount();
    const sidecars = [
      {
        blob: bytesToHex(new Uint8Array(131_072)),
        commitment: bytesToHex(randomBytes(48)),
        proof: bytesToHex(randomBytes(48)),
      },
    ];
    const transaction = {
      type: "eip4844",
      chainId: 31337,
      nonce: 3,
      to: account.address,
      gas: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
      maxFeePerBlobGas: 10n ** 9n,
      blobVersionedHashes: [`0x01${"ab".repeat(31)}`],
      sidecars,
    } as const satisfies TransactionSerializableEIP4844;
    const serialized = await account.signTransaction(transaction);
    expect(parseTransaction(serialized).sidecars).toEqual(sidecars);
    // recoverTransactionAddress hashes the payload without sidecars, as nodes do.
    expect(await recoverTransactionAddress({ serializedTransaction: serialized as TransactionSerializedEIP4844 })).toBe(
      account.address,
    );
  });

  it("recovers the same uncompressed public key it reports", async () => {
    const { account } = await freshAccount();
    const hash = randomDigest();
    expect(await recoverPublicKey({ hash, signature: await account.sign({ hash }) })).toBe(account.publicKey);
  });
});

describe("KMS calls", () => {
  it("50 concurrent signatures on a fresh key: 1 GetPublicKey, 50 Sign", async () => {
    const { keyId } = kms.endpoint.createKey();
    const client = kms.endpoint.client();
    kms.endpoint.resetCounters();
    // Fifty callers build the account at once, as fifty concurrent handler paths would.
    const signatures = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const account = await kmsAccount({ keyId, client });
        const hash = randomDigest();
        return {
          address: account.address,
          recovered: await recoverAddress({ hash, signature: await account.sign({ hash }) }),
        };
      }),
    );
    expect(kms.endpoint.calls()).toMatchObject({ GetPublicKey: 1, Sign: 50 });
    for (const { address, recovered } of signatures) expect(recovered).toBe(address);
  });

  it("does not cache a failed GetPublicKey", async () => {
    const { keyId } = kms.endpoint.createKey();
    const client = kms.endpoint.client();
    kms.endpoint.injectFault({ operation: "GetPublicKey", keyId, error: "AccessDeniedException", times: 1 });
    kms.endpoint.resetCounters();
    await expect(kmsAccount({ keyId, client })).rejects.toMatchObject({ code: "AccessDenied" });
    const account = await kmsAccount({ keyId, client });
    await account.sign({ hash: randomDigest() });
    expect(kms.endpoint.calls()).toMatchObject({ GetPublicKey: 2, Sign: 1 });
  });

  it("reports each signature's duration and attempts to the observer, never its content", async () => {
    const metrics: KmsSignatureMetric[] = [];
    const { account, keyId } = await freshAccount({ onSignature: (metric) => metrics.push(metric) });
    await account.sign({ hash: randomDigest() });
    await account.signMessage({ message: "m" });
    kms.endpoint.injectFault({ operation: "Sign", keyId, error: "ThrottlingException", times: 2 });
    await account.signAuthorization({ contractAddress: account.address, chainId: 1, nonce: 0 });
    kms.endpoint.injectFault({ operation: "Sign", keyId, error: "DisabledException", times: 1 });
    await expect(account.sign({ hash: randomDigest() })).rejects.toThrow();

    expect(metrics.map(({ kind, ok, attempts }) => ({ kind, ok, attempts }))).toEqual([
      { kind: "hash", ok: true, attempts: 1 },
      { kind: "message", ok: true, attempts: 1 },
      { kind: "authorization", ok: true, attempts: 3 },
      { kind: "hash", ok: false, attempts: 1 },
    ]);
    for (const metric of metrics) {
      expect(Object.keys(metric).sort()).toEqual([
        "attempts",
        "durationMs",
        "keyId",
        "kind",
        "kmsMs",
        "ok",
        "target",
        "throttles",
      ]);
      expect(metric.keyId).toBe(keyId);
      expect(metric.kmsMs).toBeGreaterThan(0);
      expect(metric.durationMs).toBeGreaterThanOrEqual(metric.kmsMs);
    }
  });

  it("keeps signing when the observer throws", async () => {
    const { account } = await freshAccount({
      onSignature: () => {
        throw new Error("metrics backend down");
      },
    });
    const hash = randomDigest();
    expect(await recoverAddress({ hash, signature: await account.sign({ hash }) })).toBe(account.address);
  });
});
