import { recoverAddress } from "viem";
import { describe, expect, it } from "vitest";
import { KmsAccountError, kmsAccount, type KmsAccountErrorCode } from "../../lambdas/shared/kms-account/account";
import type { KmsFaultError } from "../harness/kms-endpoint";
import { fastRetry, randomDigest, useKmsEndpoint } from "../harness/kms-test-accounts";

const kms = useKmsEndpoint();

/** The rejection of `promise`, checked to be a KmsAccountError. */
async function kmsError(promise: Promise<unknown>): Promise<KmsAccountError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(KmsAccountError);
  return error as KmsAccountError;
}

const signingAccount = () => kms.freshAccount();

describe("key problems found when the account is built (GetPublicKey)", () => {
  it("names a missing key", async () => {
    const error = await kmsError(kmsAccount({ keyId: "alias/does-not-exist", client: kms.endpoint.client() }));
    expect(error).toMatchObject({ code: "KeyNotFound", keyId: "alias/does-not-exist", operation: "GetPublicKey" });
    expect(error.message).toMatch(/KMS key alias\/does-not-exist was not found/);
  });

  it.each([
    ["Disabled", "KeyDisabled", /is disabled: enable it/],
    ["PendingDeletion", "KeyPendingDeletion", /is pending deletion: cancel the deletion/],
  ] as const)("names a %s key", async (state, code, message) => {
    const { keyId } = kms.endpoint.createKey({ state });
    const error = await kmsError(kmsAccount({ keyId, client: kms.endpoint.client() }));
    expect(error).toMatchObject({ code, keyId });
    expect(error.message).toContain(keyId);
    expect(error.message).toMatch(message);
  });

  it.each([
    ["ECC_NIST_P256", "SIGN_VERIFY", "WrongKeySpec"],
    ["RSA_2048", "SIGN_VERIFY", "WrongKeySpec"],
    ["RSA_2048", "ENCRYPT_DECRYPT", "WrongKeySpec"],
    ["ECC_NIST_P256", "KEY_AGREEMENT", "WrongKeySpec"],
  ] as const)("refuses a %s key with usage %s, naming key, spec and requirement", async (keySpec, keyUsage, code) => {
    const { keyId } = kms.endpoint.createKey({ keySpec, keyUsage });
    const error = await kmsError(kmsAccount({ keyId, client: kms.endpoint.client() }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(keyId);
    expect(error.message).toContain(`KeySpec ${keySpec} and KeyUsage ${keyUsage}`);
    expect(error.message).toContain("needs KeySpec ECC_SECG_P256K1 with KeyUsage SIGN_VERIFY");
  });

  it("refuses a P-256 key that KMS reports as ECC_SECG_P256K1, from the SPKI curve OID", async () => {
    const { keyId } = kms.endpoint.createKey({ keySpec: "ECC_NIST_P256", reportedKeySpec: "ECC_SECG_P256K1" });
    const error = await kmsError(kmsAccount({ keyId, client: kms.endpoint.client() }));
    expect(error.code).toBe("WrongKeySpec");
    expect(error.message).toContain(keyId);
    expect(error.message).toMatch(/curve is P-256 \(1\.2\.840\.10045\.3\.1\.7\), not secp256k1/);
  });

  it("refuses an RSA key that KMS reports as ECC_SECG_P256K1", async () => {
    const { keyId } = kms.endpoint.createKey({ keySpec: "RSA_2048", reportedKeySpec: "ECC_SECG_P256K1" });
    const error = await kmsError(kmsAccount({ keyId, client: kms.endpoint.client() }));
    expect(error.code).toBe("WrongKeySpec");
    expect(error.message).toMatch(/key type is rsaEncryption/);
  });

  it("names a denied GetPublicKey", async () => {
    const { keyId } = kms.endpoint.createKey();
    kms.endpoint.injectFault({ operation: "GetPublicKey", keyId, error: "AccessDeniedException", times: 1 });
    const error = await kmsError(kmsAccount({ keyId, client: kms.endpoint.client() }));
    expect(error.code).toBe("AccessDenied");
    expect(error.message).toMatch(new RegExp(`Access denied to kms:GetPublicKey on KMS key ${keyId}: grant`));
  });
});

describe("key problems found when signing (Sign)", () => {
  it.each([
    ["DisabledException", "KeyDisabled"],
    ["KMSInvalidStateException", "KeyPendingDeletion"],
    ["NotFoundException", "KeyNotFound"],
    ["InvalidKeyUsageException", "WrongKeyUsage"],
    ["AccessDeniedException", "AccessDenied"],
  ] as const satisfies readonly (readonly [KmsFaultError, KmsAccountErrorCode])[])(
    "%s becomes %s, without the digest or any signature in the error",
    async (fault, code) => {
      const { keyId, account } = await signingAccount();
      kms.endpoint.injectFault({ operation: "Sign", keyId, error: fault, times: 1 });
      kms.endpoint.resetCounters();
      const hash = randomDigest();
      const error = await kmsError(account.sign({ hash }));
      expect(error).toMatchObject({ code, keyId, operation: "Sign" });
      expect(error.message).toContain(keyId);
      expect(kms.endpoint.calls().Sign).toBe(1); // not retried: none of these passes by waiting
      expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain(hash.slice(2));
    },
  );

  it("reports a key disabled after the account was built", async () => {
    const { keyId, account } = await signingAccount();
    kms.endpoint.setKeyState(keyId, "Disabled");
    expect(await kmsError(account.signMessage({ message: "x" }))).toMatchObject({ code: "KeyDisabled" });
    kms.endpoint.setKeyState(keyId, "Enabled");
    const hash = randomDigest();
    expect(await recoverAddress({ hash, signature: await account.sign({ hash }) })).toBe(account.address);
  });
});

describe("retries", () => {
  it("signs through throttling within the bound, with one Sign per attempt", async () => {
    const { keyId, account } = await signingAccount();
    kms.endpoint.injectFault({ operation: "Sign", keyId, error: "ThrottlingException", times: 3 });
    kms.endpoint.resetCounters();
    const hash = randomDigest();
    expect(await recoverAddress({ hash, signature: await account.sign({ hash }) })).toBe(account.address);
    expect(kms.endpoint.calls().Sign).toBe(4);
  });

  it("retries a throttled GetPublicKey too", async () => {
    const { keyId } = kms.endpoint.createKey();
    kms.endpoint.injectFault({ operation: "GetPublicKey", keyId, error: "ThrottlingException", times: 2 });
    kms.endpoint.resetCounters();
    await kmsAccount({ keyId, client: kms.endpoint.client(), retry: fastRetry });
    expect(kms.endpoint.calls().GetPublicKey).toBe(3);
  });

  it.each([
    "ConnectionReset",
    "KMSInternalException",
    "DependencyTimeoutException",
    "KeyUnavailableException",
  ] as const)("retries a transient %s", async (fault) => {
    const { keyId, account } = await signingAccount();
    kms.endpoint.injectFault({ operation: "Sign", keyId, error: fault, times: 1 });
    kms.endpoint.resetCounters();
    const hash = randomDigest();
    expect(await recoverAddress({ hash, signature: await account.sign({ hash }) })).toBe(account.address);
    expect(kms.endpoint.calls().Sign).toBe(2);
  });

  it("fails clearly once throttling outlasts the attempt limit", async () => {
    const { keyId } = kms.endpoint.createKey();
    const account = await kmsAccount({ keyId, client: kms.endpoint.client(), retry: { ...fastRetry, maxAttempts: 4 } });
    kms.endpoint.injectFault({ operation: "Sign", keyId, error: "ThrottlingException" });
    kms.endpoint.resetCounters();
    const error = await kmsError(account.sign({ hash: randomDigest() }));
    kms.endpoint.clearFaults();
    expect(error.code).toBe("Throttled");
    expect(error.message).toMatch(
      new RegExp(
        `KMS Sign on key ${keyId} was still throttled after 4 attempt\\(s\\) over \\d+ ms \\(attempt limit reached\\): raise the KMS request quota`,
      ),
    );
    expect(kms.endpoint.calls().Sign).toBe(4);
  });

  it("fails clearly once throttling outlasts the time limit", async () => {
    const { keyId } = kms.endpoint.createKey();
    const retry = { maxAttempts: 1_000, maxElapsedMs: 300, baseDelayMs: 20, maxDelayMs: 40 };
    const account = await kmsAccount({ keyId, client: kms.endpoint.client(), retry });
    kms.endpoint.injectFault({ operation: "Sign", keyId, error: "ThrottlingException" });
    kms.endpoint.resetCounters();
    const started = performance.now();
    const error = await kmsError(account.sign({ hash: randomDigest() }));
    const elapsed = performance.now() - started;
    kms.endpoint.clearFaults();
    expect(error.code).toBe("Throttled");
    expect(error.message).toMatch(/was still throttled after \d+ attempt\(s\) over \d+ ms \(time limit reached\)/);
    expect(elapsed).toBeLessThan(2_000); // without the time bound, 1,000 attempts would take far longer
    expect(kms.endpoint.calls().Sign).toBeGreaterThan(3);
    expect(kms.endpoint.calls().Sign).toBeLessThan(1_000);
  });

  it("reports a network outage as Unavailable once retries run out", async () => {
    const { keyId } = kms.endpoint.createKey();
    const account = await kmsAccount({ keyId, client: kms.endpoint.client(), retry: { ...fastRetry, maxAttempts: 3 } });
    kms.endpoint.injectFault({ operation: "Sign", keyId, error: "ConnectionReset" });
    const error = await kmsError(account.sign({ hash: randomDigest() }));
    kms.endpoint.clearFaults();
    expect(error.code).toBe("Unavailable");
    expect(error.message).toMatch(/kept failing \(.*\) after 3 attempt\(s\)/);
  });
});
