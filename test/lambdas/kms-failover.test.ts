import { recoverAddress } from "viem";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  kmsAccount,
  KmsAccountError,
  type KmsFailoverEvent,
  type KmsSignatureMetric,
} from "../../lambdas/shared/kms-account/account";
import { regionOfKeyArn } from "../../lambdas/shared/kms-account/failover";
import { startMultiRegionKms, type MultiRegionKms } from "../harness/kms-multi-region";
import { fastRetry, randomDigest } from "../harness/kms-test-accounts";

describe("a KMS account on a multi-Region key", () => {
  let kms: MultiRegionKms;
  beforeEach(async () => {
    kms = await startMultiRegionKms();
  });
  afterEach(async () => {
    await kms.close();
  });

  const account = (events: KmsFailoverEvent[], metrics: KmsSignatureMetric[] = [], probeAfterMs = 60_000) =>
    kmsAccount({
      keyId: kms.primaryArn,
      client: kms.primary.client(),
      retry: { ...fastRetry, maxAttempts: 3 },
      replica: { keyId: kms.replicaArn, client: kms.replica.client(), probeAfterMs },
      onFailover: (event) => events.push(event),
      onSignature: (metric) => metrics.push(metric),
    });

  it("signs in the primary region only, one Sign per signature and one GetPublicKey, while it is healthy", async () => {
    const signer = await account([]);
    for (let index = 0; index < 5; index++) {
      const hash = randomDigest();
      expect(await recoverAddress({ hash, signature: await signer.sign({ hash }) })).toBe(signer.address);
    }
    expect(kms.primary.calls()).toMatchObject({ GetPublicKey: 1, Sign: 5 });
    expect(kms.replica.calls()).toMatchObject({ GetPublicKey: 0, Sign: 0 });
  });

  it("keeps signing, with the same address, through the replica when the primary region stops mid-run", async () => {
    const events: KmsFailoverEvent[] = [];
    const metrics: KmsSignatureMetric[] = [];
    const signer = await account(events, metrics);
    const before = randomDigest();
    expect(await recoverAddress({ hash: before, signature: await signer.sign({ hash: before }) })).toBe(signer.address);

    await kms.primary.stop();
    for (let index = 0; index < 4; index++) {
      const hash = randomDigest();
      expect(await recoverAddress({ hash, signature: await signer.sign({ hash }) })).toBe(signer.address);
    }
    expect(events).toEqual([
      expect.objectContaining({
        direction: "failover",
        reason: "Unavailable",
        keyId: kms.primaryArn,
        replicaKeyId: kms.replicaArn,
      }),
    ]);
    // After the failover the replica answers at once: the primary is not retried on every signature.
    expect(kms.replica.calls()).toMatchObject({ GetPublicKey: 0, Sign: 4 });
    expect(metrics.map((metric) => metric.target)).toEqual([
      "primary",
      "primary",
      "replica",
      "replica",
      "replica",
      "replica",
    ]);
    expect(metrics.filter((metric) => !metric.ok).map((metric) => metric.target)).toEqual(["primary"]);
  });

  it("returns to the primary once it answers again", async () => {
    const events: KmsFailoverEvent[] = [];
    const signer = await account(events, [], 0);
    await kms.primary.stop();
    await signer.sign({ hash: randomDigest() });
    await kms.primary.start();
    kms.primary.resetCounters();
    const hash = randomDigest();
    expect(await recoverAddress({ hash, signature: await signer.sign({ hash }) })).toBe(signer.address);
    expect(events.map((event) => event.direction)).toEqual(["failover", "recovered"]);
    expect(kms.primary.calls().Sign).toBe(1);
  });

  it("fails over on throttling past the retry budget, but never on a key or permission problem", async () => {
    const events: KmsFailoverEvent[] = [];
    const signer = await account(events);
    kms.primary.injectFault({ error: "ThrottlingException", operation: "Sign" });
    const hash = randomDigest();
    expect(await recoverAddress({ hash, signature: await signer.sign({ hash }) })).toBe(signer.address);
    expect(events).toEqual([expect.objectContaining({ direction: "failover", reason: "Throttled" })]);

    const other = await startMultiRegionKms();
    try {
      const denied: KmsFailoverEvent[] = [];
      const strict = await kmsAccount({
        keyId: other.primaryArn,
        client: other.primary.client(),
        retry: fastRetry,
        replica: { keyId: other.replicaArn, client: other.replica.client() },
        onFailover: (event) => denied.push(event),
      });
      other.primary.injectFault({ error: "AccessDeniedException", operation: "Sign" });
      await expect(strict.sign({ hash: randomDigest() })).rejects.toSatisfy(
        (error) => error instanceof KmsAccountError && error.code === "AccessDenied",
      );
      expect(denied).toEqual([]);
      expect(other.replica.calls().Sign).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("starts on the replica when the primary region is down at cold start, with one GetPublicKey", async () => {
    await kms.primary.stop();
    const events: KmsFailoverEvent[] = [];
    const signer = await account(events);
    const hash = randomDigest();
    expect(await recoverAddress({ hash, signature: await signer.sign({ hash }) })).toBe(signer.address);
    expect(kms.replica.calls()).toMatchObject({ GetPublicKey: 1, Sign: 1 });
    expect(events).toEqual([expect.objectContaining({ direction: "failover" })]);
  });

  it("refuses a replica signature that recovers to another key (a replica of the wrong key)", async () => {
    const wrong = await startMultiRegionKms();
    try {
      const signer = await kmsAccount({
        keyId: kms.primaryArn,
        client: kms.primary.client(),
        retry: fastRetry,
        replica: { keyId: wrong.replicaArn, client: wrong.replica.client() },
      });
      await kms.primary.stop();
      await expect(signer.sign({ hash: randomDigest() })).rejects.toSatisfy(
        (error) => error instanceof KmsAccountError && error.code === "InvalidKmsResponse",
      );
    } finally {
      await wrong.close();
    }
  });

  it("reads the replica's region from its ARN", () => {
    expect(regionOfKeyArn(kms.replicaArn)).toBe("eu-central-1");
    expect(() => regionOfKeyArn("alias/boson")).toThrow(/not a KMS key ARN/);
  });
});
