/**
 * A viem account whose private key lives in AWS KMS (checklist S1): an
 * ECC_SECG_P256K1 / SIGN_VERIFY key signs every digest, the key never leaves
 * KMS, and viem does all hashing and serialisation.
 *
 * @example
 * const account = await kmsAccount({ keyId: process.env.KEY_ID! });
 * const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import {
  hashMessage,
  hashTypedData,
  keccak256,
  serializeSignature,
  serializeTransaction,
  type CustomSource,
  type Hash,
  type LocalAccount,
  type Prettify,
} from "viem";
import { toAccount } from "viem/accounts";
import { hashAuthorization } from "viem/utils";
import { defaultKmsClient } from "./client";
import { failoverSigningPath, type KmsFailoverObserver, type KmsReplica, type SigningPath } from "./failover";
import { loadKmsSigningKey } from "./key";
import { signDigest, type KmsSignatureObserver, type SignatureKind } from "./sign";
import { defaultRetryPolicy, type RetryPolicy } from "../runtime/retry";

export { KmsAccountError, type KmsAccountErrorCode } from "./errors";
export type { KmsSignatureMetric, KmsSignatureObserver, SignatureKind } from "./sign";
export type { KmsFailoverEvent, KmsFailoverObserver, KmsReplica } from "./failover";

export type KmsAccountOptions = {
  /** Key id, key ARN, alias name or alias ARN. */
  keyId: string;
  /**
   * Defaults to one shared client per process (region and credentials from
   * the environment). A client you pass should have `maxAttempts: 1`: this
   * account retries itself, within a time bound, and SDK retries would multiply.
   */
  client?: KMSClient;
  /** Overrides parts of the retry policy for throttling and transient errors. */
  retry?: Partial<RetryPolicy>;
  /** Called after every signature, successful or not, with its timing and attempt count. */
  onSignature?: KmsSignatureObserver;
  /** The key's multi-Region replica: signing fails over to it when the primary region's KMS is unavailable. */
  replica?: KmsReplica;
  /** Called when signing moves to the replica or back. */
  onFailover?: KmsFailoverObserver;
};

export type KmsAccount = Prettify<
  LocalAccount<"aws-kms"> & {
    keyId: string;
    sign: NonNullable<CustomSource["sign"]>;
    signAuthorization: NonNullable<CustomSource["signAuthorization"]>;
  }
>;

/**
 * Builds the account. Fetches and checks the public key (once per key per
 * process), so a wrong key spec, usage or permission fails here, at start-up,
 * rather than at the first withdrawal.
 */
export async function kmsAccount(options: KmsAccountOptions): Promise<KmsAccount> {
  const { keyId, onSignature } = options;
  const client = options.client ?? defaultKmsClient();
  const retryPolicy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  const path: SigningPath = options.replica
    ? await failoverSigningPath({
        client,
        keyId,
        replica: options.replica,
        retryPolicy,
        observer: onSignature,
        onFailover: options.onFailover,
      })
    : await singleRegionPath(client, keyId, retryPolicy, onSignature);
  const { key, sign } = path;

  const account = toAccount({
    address: key.address,
    async sign({ hash }) {
      return serializeSignature(await sign(hash, "hash"));
    },
    async signMessage({ message }) {
      return serializeSignature(await sign(hashMessage(message), "message"));
    },
    async signTypedData(typedData) {
      return serializeSignature(await sign(hashTypedData(typedData), "typedData"));
    },
    // Mirrors viem's signTransaction: an EIP-4844 signature covers the payload without its sidecars.
    async signTransaction(transaction, { serializer = serializeTransaction } = {}) {
      const signable = transaction.type === "eip4844" ? { ...transaction, sidecars: false as const } : transaction;
      const signature = await sign(keccak256(await serializer(signable)), "transaction");
      return await serializer(transaction, signature);
    },
    // Mirrors viem's signAuthorization (EIP-7702): keccak256(0x05 || rlp([chainId, address, nonce])).
    async signAuthorization(authorization) {
      const { chainId, nonce } = authorization;
      const address = authorization.contractAddress ?? authorization.address;
      const signature = await sign(hashAuthorization({ address, chainId, nonce }), "authorization");
      return { address, chainId, nonce, ...signature };
    },
  });

  return {
    ...account,
    publicKey: key.publicKey,
    source: "aws-kms",
    keyId,
    sign: account.sign ?? unreachable("sign"),
    signAuthorization: account.signAuthorization ?? unreachable("signAuthorization"),
  };
}

async function singleRegionPath(
  client: KMSClient,
  keyId: string,
  retryPolicy: RetryPolicy,
  observer: KmsSignatureObserver | undefined,
): Promise<SigningPath> {
  const key = await loadKmsSigningKey({ client, keyId, retryPolicy });
  return {
    key,
    sign: (hash: Hash, kind: SignatureKind) => signDigest({ client, key, hash, kind, retryPolicy, observer }),
  };
}

function unreachable(name: string): never {
  throw new Error(`toAccount dropped ${name}`);
}
