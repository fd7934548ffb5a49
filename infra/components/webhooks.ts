import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { EncryptionKey } from "./encryption-key";
import { envelopeEncryptionActions, viaService } from "./key-policy";
import { policyJson } from "./policy-document";

export interface WebhooksArgs {
  readonly region: string;
  /** Fulfillment endpoints that receive the signed events. */
  readonly endpoints: readonly string[];
  readonly administrators: readonly pulumi.Input<string>[];
  /** The roles that sign webhooks (the watcher): the only ones that may read the key. */
  readonly signers: readonly pulumi.Input<string>[];
}

/** Standard Webhooks keys are `whsec_` + base64 of the raw key; 32 bytes is HMAC-SHA256's block-safe minimum. */
export const webhookSecretBytes = 32;
export const webhookSecretPrefix = "whsec_";

/**
 * HMAC-signed webhooks to fulfillment (checklist S5): a random signing key in
 * the Standard Webhooks format, kept in Secrets Manager under a customer-
 * managed key that only the watcher may use. The endpoints are not secret and
 * reach the watcher as an id-like list (WEBHOOK_ENDPOINTS).
 */
export class Webhooks extends pulumi.ComponentResource {
  public readonly secret: aws.secretsmanager.Secret;
  public readonly secretArn: pulumi.Output<string>;
  /** JSON array of the endpoint URLs. */
  public readonly endpointsJson: string;

  constructor(name: string, args: WebhooksArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:webhooks:Webhooks", name, {}, opts);
    this.endpointsJson = JSON.stringify(args.endpoints);

    const signingKey = new random.RandomBytes(`${name}-signing-key`, { length: webhookSecretBytes }, { parent: this });

    const key = new EncryptionKey(
      `${name}-secret`,
      {
        description: "Encrypts the webhook HMAC signing key",
        administrators: args.administrators,
        uses: [
          {
            Sid: "WatcherReadsTheSigningKey",
            Effect: "Allow",
            Principal: { AWS: args.signers },
            Action: ["kms:Decrypt"],
            Resource: "*",
            Condition: viaService("secretsmanager", args.region),
          },
          {
            // The deployer generated the key (it is in Pulumi state), writes it, and refreshes it.
            Sid: "AdministratorsWriteTheSigningKey",
            Effect: "Allow",
            Principal: { AWS: args.administrators },
            Action: envelopeEncryptionActions,
            Resource: "*",
            Condition: viaService("secretsmanager", args.region),
          },
        ],
      },
      { parent: this },
    );

    this.secret = new aws.secretsmanager.Secret(
      `${name}-signing-secret`,
      { description: "Standard Webhooks signing key (whsec_...) for fulfillment webhooks", kmsKeyId: key.arn, recoveryWindowInDays: 30 },
      { parent: this },
    );
    this.secretArn = this.secret.arn;
    new aws.secretsmanager.SecretVersion(
      `${name}-signing-secret-value`,
      { secretId: this.secret.id, secretString: pulumi.secret(pulumi.interpolate`${webhookSecretPrefix}${signingKey.base64}`) },
      { parent: this },
    );
    new aws.secretsmanager.SecretPolicy(
      `${name}-signing-secret-policy`,
      {
        secretArn: this.secret.arn,
        policy: policyJson([
          {
            Sid: "OnlyTheWatcherReadsTheSigningKey",
            Effect: "Allow",
            Principal: { AWS: args.signers },
            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            Resource: "*",
          },
        ]),
      },
      { parent: this },
    );

    this.registerOutputs({ secretArn: this.secretArn, endpoints: args.endpoints });
  }
}
