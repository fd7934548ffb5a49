import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface SignerReplicaArgs {
  /** The multi-Region primary key. */
  readonly primaryKeyArn: pulumi.Input<string>;
  /** A replica's key policy is its own (KMS does not share it): the same document as the primary's. */
  readonly policy: pulumi.Input<string>;
  /** Must differ from the primary's region. */
  readonly region: string;
  /** Aliases are per region: the replica gets the primary's alias name in its own region. */
  readonly aliasName: string;
  readonly description: pulumi.Input<string>;
  readonly enabled: boolean;
}

/**
 * A replica of the signer's multi-Region key in a second region: the same key
 * id and key material (so the same Ethereum address), its own key policy,
 * alias and protection. The jobs fail over to it when the primary region's
 * KMS is unavailable; a standby stack in the replica's region signs with it.
 */
export class SignerReplica extends pulumi.ComponentResource {
  public readonly key: aws.kms.ReplicaKey;
  public readonly keyArn: pulumi.Output<string>;
  public readonly region: string;

  constructor(name: string, args: SignerReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:signer:SignerReplica", name, {}, opts);
    this.region = args.region;
    // Protected like the primary: losing the replica loses the failover, never the address, but recreating it takes a deploy.
    this.key = new aws.kms.ReplicaKey(
      `${name}-key`,
      {
        region: args.region,
        primaryKeyArn: args.primaryKeyArn,
        description: args.description,
        policy: args.policy,
        deletionWindowInDays: 30,
        enabled: args.enabled,
      },
      { parent: this, protect: true, retainOnDelete: true },
    );
    new aws.kms.Alias(
      `${name}-alias`,
      { region: args.region, name: args.aliasName, targetKeyId: this.key.keyId },
      { parent: this, retainOnDelete: true },
    );
    this.keyArn = this.key.arn;
    this.registerOutputs({ keyArn: this.keyArn, region: this.region });
  }
}
