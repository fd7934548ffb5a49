import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { administratorsStatement, deployersStatement } from "../definitions/key-policy";
import { policyJson, type PolicyStatement } from "../definitions/policy-document";
import { ethereumAddressFromSpki } from "../definitions/signer-address";
import { SignerReplica } from "./signer-replica";

export interface SignerArgs {
  /** The seller role this key signs for, e.g. `assistant` (checklist S2: a session key for the assistant role). */
  readonly signingRole: string;
  /** Stable alias so people find the key: `alias/...`. */
  readonly aliasName: string;
  /** IAM principals that may manage the key but never sign with it. */
  readonly administrators: readonly pulumi.Input<string>[];
  /** Run `pulumi up` and refresh: what deploying needs on the keys, never signing (config `deployers`). */
  readonly deployers: readonly pulumi.Input<string>[];
  /** May run `pulumi preview` only: read the public key, nothing else. */
  readonly previewers: readonly pulumi.Input<string>[];
  /** The roles of the jobs that sign; nobody else may. */
  readonly signers: readonly pulumi.Input<string>[];
  /**
   * Signers that sign the primary key only through this KMS VPC endpoint (the
   * stack's own jobs): a Sign from anywhere else is refused, whoever holds
   * their credentials. The replica, in another region, is reached over NAT
   * and admits them without the endpoint.
   */
  readonly signThroughEndpoint?: {
    readonly endpoint: pulumi.Input<string>;
    readonly signers: readonly pulumi.Input<string>[];
    /** The NAT gateways' IPs: the only source of their calls to the replica, which no endpoint of this region reaches. */
    readonly egressIps: pulumi.Input<string[]>;
  };
  /** Roles that need the signer's public key (to know its address) but never sign. */
  readonly publicKeyReaders: readonly pulumi.Input<string>[];
  /** A second region for a replica of the key (same key material, same address). */
  readonly replicaRegion?: string;
  /** False for a retired generation: kept (protected) but unable to sign. */
  readonly enabled?: boolean;
}

/** The signing algorithm and message type Ethereum signing uses: an ECDSA signature over a keccak digest. */
export const signingConditions = {
  "kms:SigningAlgorithm": "ECDSA_SHA_256",
  "kms:MessageType": "DIGEST",
} as const;

/** The key policy of the primary, or of its replica (which cannot be reached through this region's endpoint). */
function signerKeyPolicy(args: SignerArgs, of: "primary" | "replica"): pulumi.Output<string> {
  const throughEndpoint = args.signThroughEndpoint?.signers ?? [];
  const direct = args.signers;
  const signStatement = (
    sid: string,
    principals: readonly pulumi.Input<string>[],
    only?: PolicyStatement["Condition"],
  ): PolicyStatement[] =>
    principals.length === 0
      ? []
      : [
          {
            Sid: sid,
            Effect: "Allow",
            Principal: { AWS: principals },
            Action: ["kms:Sign"],
            Resource: "*",
            Condition: { StringEquals: signingConditions, ...only },
          },
        ];
  return policyJson([
    administratorsStatement(args.administrators),
    deployersStatement(args.deployers),
    {
      // `pulumi up` and `pulumi preview` read the public key to derive the address (not a secret).
      Sid: "DeployersReadThePublicKey",
      Effect: "Allow",
      Principal: { AWS: [...args.deployers, ...args.previewers] },
      Action: ["kms:GetPublicKey", "kms:DescribeKey"],
      Resource: "*",
    },
    {
      // PutKeyPolicy could still grant Sign back: the review counts these principals as effective signers.
      Sid: "AdministratorsAndDeployersNeverSign",
      Effect: "Deny",
      Principal: { AWS: [...args.administrators, ...args.deployers] },
      Action: ["kms:Sign", "kms:CreateGrant"],
      Resource: "*",
    },
    {
      // Only an administrator retires the assistant's key; a destroy or a rename never does.
      Sid: "DeployersNeverDeleteTheSigner",
      Effect: "Deny",
      Principal: { AWS: args.deployers },
      Action: ["kms:ScheduleKeyDeletion", "kms:DisableKey"],
      Resource: "*",
    },
    ...(of === "primary" && args.signThroughEndpoint
      ? signStatement("JobsSignDigestsOnlyThroughTheKitEndpoint", throughEndpoint, {
          StringEquals: { ...signingConditions, "aws:SourceVpce": args.signThroughEndpoint.endpoint },
        })
      : []),
    ...(of === "replica" && args.signThroughEndpoint
      ? signStatement("JobsSignTheReplicaOnlyFromTheKitEgressIps", throughEndpoint, {
          // An Output of the IP list: resolved by policyJson like every ARN here.
          IpAddress: {
            "aws:SourceIp": args.signThroughEndpoint.egressIps as unknown as readonly pulumi.Input<string>[],
          },
        })
      : []),
    ...signStatement("JobsSignDigestsOnly", direct),
    {
      Sid: "JobsReadThePublicKey",
      Effect: "Allow",
      Principal: { AWS: [...args.signers, ...throughEndpoint, ...args.publicKeyReaders] },
      Action: ["kms:GetPublicKey", "kms:DescribeKey"],
      Resource: "*",
    },
  ]);
}

/**
 * A managed signer (checklist S1): an AWS KMS secp256k1 key whose private key
 * never leaves KMS. The key policy separates who administers the key from who
 * signs with it, and signing is limited to raw digests with ECDSA_SHA_256, the
 * only form an Ethereum signature takes.
 */
export class Signer extends pulumi.ComponentResource {
  public readonly key: aws.kms.Key;
  public readonly keyId: pulumi.Output<string>;
  public readonly keyArn: pulumi.Output<string>;
  public readonly aliasName: pulumi.Output<string>;
  /** The Ethereum address to register as the seller's assistant. */
  public readonly address: pulumi.Output<string>;
  public readonly replica: SignerReplica | undefined;

  constructor(name: string, args: SignerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:signer:Signer", name, {}, opts);

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Signs for the seller's ${args.signingRole} role; the private key never leaves KMS`,
        customerMasterKeySpec: "ECC_SECG_P256K1",
        keyUsage: "SIGN_VERIFY",
        deletionWindowInDays: 30,
        // Fixed at creation: a single-region key can never get a replica, so every signer key is a multi-Region primary.
        multiRegion: true,
        isEnabled: args.enabled ?? true,
        policy: signerKeyPolicy(args, "primary"),
      },
      // The key is the seller's assistant address on-chain: a rename, a replacement or a destroy must
      // never delete it. `protect` refuses those in Pulumi; `retainOnDelete` leaves the key in AWS if
      // protection is lifted; a refactor keeps the URN with `aliases`.
      { parent: this, protect: true, retainOnDelete: true },
    );

    const alias = new aws.kms.Alias(
      `${name}-alias`,
      { name: args.aliasName, targetKeyId: this.key.keyId },
      { parent: this, protect: true, retainOnDelete: true },
    );

    this.replica =
      args.replicaRegion === undefined
        ? undefined
        : new SignerReplica(
            `${name}-replica`,
            {
              primaryKeyArn: this.key.arn,
              policy: signerKeyPolicy(args, "replica"),
              region: args.replicaRegion,
              aliasName: args.aliasName,
              description: this.key.description.apply((description) => description ?? ""),
              enabled: args.enabled ?? true,
            },
            { parent: this },
          );

    this.keyId = this.key.keyId;
    this.keyArn = this.key.arn;
    this.aliasName = alias.name;
    this.address = aws.kms
      .getPublicKeyOutput({ keyId: this.key.keyId }, { parent: this })
      .publicKey.apply(ethereumAddressFromSpki);

    this.registerOutputs({ keyId: this.keyId, keyArn: this.keyArn, aliasName: this.aliasName, address: this.address });
  }
}
