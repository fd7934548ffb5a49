/**
 * What the KMS account tests share: the KMS stand-in for the whole test file,
 * fresh keys with accounts on them, and random digests to sign.
 */
import { randomBytes } from "node:crypto";
import { bytesToHex, type Hex } from "viem";
import { afterAll, beforeAll } from "vitest";
import { kmsAccount, type KmsAccount, type KmsAccountOptions } from "../../lambdas/shared/kms-account/account";
import { startKmsEndpoint, type KmsEndpoint } from "./kms-endpoint";

/** Backoff short enough that a retried KMS call costs milliseconds. */
export const fastRetry = { baseDelayMs: 1, maxDelayMs: 5 };

export const randomDigest = (): Hex => bytesToHex(randomBytes(32));

export type KmsTestEndpoint = {
  /** The running stand-in (from the file's beforeAll on). */
  readonly endpoint: KmsEndpoint;
  /** A new key and an account on it (fast retries unless `options` says otherwise). */
  freshAccount(
    options?: Partial<Omit<KmsAccountOptions, "keyId" | "client">>,
  ): Promise<{ keyId: string; client: ReturnType<KmsEndpoint["client"]>; account: KmsAccount }>;
};

/** Starts the KMS stand-in before the calling file's tests and closes it after them. */
export function useKmsEndpoint(): KmsTestEndpoint {
  let started: KmsEndpoint | undefined;
  const kms: KmsTestEndpoint = {
    get endpoint() {
      if (!started) throw new Error("the KMS endpoint is started in beforeAll; read it inside a test or hook");
      return started;
    },
    freshAccount: async (options = {}) => {
      const { keyId } = kms.endpoint.createKey();
      const client = kms.endpoint.client();
      return { keyId, client, account: await kmsAccount({ keyId, client, retry: fastRetry, ...options }) };
    },
  };
  beforeAll(async () => {
    started = await startKmsEndpoint();
  });
  afterAll(async () => {
    await started?.close();
  });
  return kms;
}
