/**
 * Signing through a multi-Region key: the primary region first, its replica
 * (the same key material, so the same address) when the primary region's KMS
 * is unavailable or throttles past the retry budget, and back to the primary
 * once it answers again. In the normal case this adds nothing: one Sign call
 * per signature, to the primary.
 */
import { KMSClient } from "@aws-sdk/client-kms";
import type { Hash, Signature } from "viem";
import { KmsAccountError, type KmsAccountErrorCode } from "./errors";
import { loadKmsSigningKey, type KmsSigningKey } from "./key";
import { signDigest, type KmsSignatureObserver, type SignatureKind } from "./sign";
import type { RetryPolicy } from "../runtime/retry";

/** A region's failure, as opposed to a key or permission problem: only these move signing to the replica. */
const REGIONAL_FAILURES: ReadonlySet<KmsAccountErrorCode> = new Set(["Unavailable", "Throttled"]);

export type KmsFailoverEvent = {
  /** `failover`: primary -> replica; `recovered`: back to the primary. */
  direction: "failover" | "recovered";
  keyId: string;
  replicaKeyId: string;
  /** Why the primary was left (the error code), for `failover`. */
  reason?: KmsAccountErrorCode;
  /** Time from the first primary attempt to the switch, for `failover`. */
  elapsedMs?: number;
};

export type KmsFailoverObserver = (event: KmsFailoverEvent) => void;

export type KmsReplica = {
  /** The replica's key ARN (its region is the client's region). */
  keyId: string;
  /** Defaults to one shared client per replica region. */
  client?: KMSClient;
  /** After a failover, how long signing stays on the replica before the primary is tried again (default 60 s). */
  probeAfterMs?: number;
};

export type SigningPath = {
  key: KmsSigningKey;
  sign(hash: Hash, kind: SignatureKind): Promise<Signature>;
};

const regionalClients = new Map<string, KMSClient>();

/** The region of a KMS key ARN (`arn:aws:kms:<region>:...`). */
export function regionOfKeyArn(arn: string): string {
  const region = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(arn)?.[1];
  if (region === undefined)
    throw new Error(`${arn} is not a KMS key ARN: the replica must be named by ARN, so its region is known`);
  return region;
}

/** One client per replica region, with the same settings as the default client (no SDK retries, short timeouts). */
export function replicaKmsClient(replicaKeyArn: string): KMSClient {
  const region = regionOfKeyArn(replicaKeyArn);
  let client = regionalClients.get(region);
  if (client === undefined) {
    client = new KMSClient({
      region,
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
    });
    regionalClients.set(region, client);
  }
  return client;
}

function isRegionalFailure(error: unknown): error is KmsAccountError {
  return error instanceof KmsAccountError && REGIONAL_FAILURES.has(error.code);
}

/**
 * The signing path of one account: the key (public key fetched once, from the
 * primary, or from the replica when the primary is down at start-up) and a
 * `sign` that fails over between the two.
 */
export async function failoverSigningPath(parameters: {
  client: KMSClient;
  keyId: string;
  replica: KmsReplica;
  retryPolicy: RetryPolicy;
  observer?: KmsSignatureObserver | undefined;
  onFailover?: KmsFailoverObserver | undefined;
  now?: () => number;
}): Promise<SigningPath> {
  const { client, keyId, retryPolicy, observer, onFailover, now = () => performance.now() } = parameters;
  const replicaClient = parameters.replica.client ?? replicaKmsClient(parameters.replica.keyId);
  const replicaKeyId = parameters.replica.keyId;
  const probeAfterMs = parameters.replica.probeAfterMs ?? 60_000;
  const notify = (event: Omit<KmsFailoverEvent, "keyId" | "replicaKeyId">) => {
    try {
      onFailover?.({ keyId, replicaKeyId, ...event });
    } catch {
      // ignored on purpose: reporting a failover must not fail the signature
    }
  };

  // Replicas share the key material: the primary's public key is the replica's, so one GetPublicKey per process suffices.
  let onReplicaSince: number | undefined;
  let key: KmsSigningKey;
  try {
    key = await loadKmsSigningKey({ client, keyId, retryPolicy });
  } catch (error) {
    if (!isRegionalFailure(error)) throw error;
    key = await loadKmsSigningKey({ client: replicaClient, keyId: replicaKeyId, retryPolicy });
    onReplicaSince = now();
    notify({ direction: "failover", reason: error.code });
  }
  // The replica signs under its own ARN; the recovery check in signDigest proves each signature is this key's.
  const replicaKey: KmsSigningKey = { ...key, keyId: replicaKeyId };

  const onPrimary = (hash: Hash, kind: SignatureKind) =>
    signDigest({ client, key: { ...key, keyId }, hash, kind, retryPolicy, observer, target: "primary" });
  const onReplica = (hash: Hash, kind: SignatureKind) =>
    signDigest({ client: replicaClient, key: replicaKey, hash, kind, retryPolicy, observer, target: "replica" });

  return {
    key: { ...key, keyId },
    async sign(hash, kind) {
      const probing = onReplicaSince !== undefined && now() - onReplicaSince >= probeAfterMs;
      if (onReplicaSince !== undefined && !probing) return onReplica(hash, kind);
      const started = now();
      try {
        const signature = await onPrimary(hash, kind);
        if (probing) {
          onReplicaSince = undefined;
          notify({ direction: "recovered" });
        }
        return signature;
      } catch (error) {
        if (!isRegionalFailure(error)) throw error;
        if (!probing) notify({ direction: "failover", reason: error.code, elapsedMs: now() - started });
        onReplicaSince = now();
        return onReplica(hash, kind);
      }
    },
  };
}
