import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { administratorsStatement } from "../definitions/key-policy";
import { policyJson } from "../definitions/policy-document";
import { ethereumAddressFromSpki } from "../definitions/signer-address";

export interface SignerArgs {
  /** The seller role this key signs for, e.g. `assistant` (checklist S2: a session key for the assistant role). */
  readonly signingRole: string;
  /** Stable alias so people find the key: `alias/...`. */
  readonly aliasName: string;
  /** IAM principals that may manage the key but never sign with it. */
  readonly administrators: readonly pulumi.Input<string>[];
  /** The roles of the jobs that sign; nobody else may. */
  readonly signers: readonly pulumi.Input<string>[];
  /** The KMS VPC endpoint the signers sign through: a Sign from anywhere else is refused, whoever holds their credentials. */
  readonly signThroughEndpoint: pulumi.Input<string>;
  /** Roles that need the signer's public key (to know its address) but never sign. */
  readonly publicKeyReaders: readonly pulumi.Input<string>[];
}

/** The signing algorithm and message type Ethereum signing uses: an ECDSA signature over a keccak digest. */
export const signingConditions = {
  "kms:SigningAlgorithm": "ECDSA_SHA_256",
  "kms:MessageType": "DIGEST",
} as const;

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

  constructor(name: string, args: SignerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:signer:Signer", name, {}, opts);

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `Signs for the seller's ${args.signingRole} role; the private key never leaves KMS`,
        customerMasterKeySpec: "ECC_SECG_P256K1",
        keyUsage: "SIGN_VERIFY",
        deletionWindowInDays: 30,
        policy: policyJson([
          administratorsStatement(args.administrators),
          {
            // `pulumi up` runs as an administrator and reads the public key to derive the address.
            Sid: "AdministratorsReadThePublicKey",
            Effect: "Allow",
            Principal: { AWS: args.administrators },
            Action: ["kms:GetPublicKey"],
            Resource: "*",
          },
          {
            Sid: "AdministratorsNeverSign",
            Effect: "Deny",
            Principal: { AWS: args.administrators },
            Action: ["kms:Sign", "kms:CreateGrant"],
            Resource: "*",
          },
          {
            Sid: "JobsSignDigestsOnly",
            Effect: "Allow",
            Principal: { AWS: args.signers },
            Action: ["kms:Sign"],
            Resource: "*",
            Condition: { StringEquals: { ...signingConditions, "aws:SourceVpce": args.signThroughEndpoint } },
          },
          {
            Sid: "JobsReadThePublicKey",
            Effect: "Allow",
            Principal: { AWS: [...args.signers, ...args.publicKeyReaders] },
            Action: ["kms:GetPublicKey", "kms:DescribeKey"],
            Resource: "*",
          },
        ]),
      },
      { parent: this },
    );

    const alias = new aws.kms.Alias(`${name}-alias`, { name: args.aliasName, targetKeyId: this.key.keyId }, { parent: this });

    this.keyId = this.key.keyId;
    this.keyArn = this.key.arn;
    this.aliasName = alias.name;
    this.address = aws.kms
      .getPublicKeyOutput({ keyId: this.key.keyId }, { parent: this })
      .publicKey.apply(ethereumAddressFromSpki);

    this.registerOutputs({ keyId: this.keyId, keyArn: this.keyArn, aliasName: this.aliasName, address: this.address });
  }
}
