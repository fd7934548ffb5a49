import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { administratorsStatement, deployersStatement } from "../definitions/key-policy";
import { policyJson, type PolicyStatement } from "../definitions/policy-document";

export interface EncryptionKeyArgs {
  readonly description: string;
  /** IAM principals that manage the key (never use it directly). */
  readonly administrators: readonly pulumi.Input<string>[];
  /** Run `pulumi up` and refresh: what deploying needs on the keys, never signing (config `deployers`). */
  readonly deployers: readonly pulumi.Input<string>[];
  /** Who may use the key, for what, and through which service: each a key policy statement. */
  readonly uses: readonly PolicyStatement[];
}

/**
 * A customer-managed symmetric KMS key that encrypts one concern's data at
 * rest (secrets, tables, logs, queues, topics). Rotated yearly; its policy
 * names every principal that may use it, so IAM policies elsewhere in the
 * account cannot widen access.
 */
export class EncryptionKey extends pulumi.ComponentResource {
  public readonly key: aws.kms.Key;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: EncryptionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:security:EncryptionKey", name, {}, opts);

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: args.description,
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        keyUsage: "ENCRYPT_DECRYPT",
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: policyJson([
          administratorsStatement(args.administrators),
          deployersStatement(args.deployers),
          ...args.uses,
        ]),
      },
      { parent: this },
    );
    this.arn = this.key.arn;

    this.registerOutputs({ arn: this.arn });
  }
}
