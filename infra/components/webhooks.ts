import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { declareEncryptedSecret } from "../resource-groups/encrypted-secret";

export interface WebhooksArgs {
  readonly region: string;
  /** Fulfillment endpoints that receive the signed events. */
  readonly endpoints: readonly string[];
  readonly administrators: readonly pulumi.Input<string>[];
  /** Run `pulumi up` and refresh: what deploying needs on the keys, never signing (config `deployers`). */
  readonly deployers: readonly pulumi.Input<string>[];
  /** The roles that sign webhooks (the watcher): the only ones that may read the key. */
  readonly signers: readonly pulumi.Input<string>[];
  /** The Secrets Manager VPC endpoint the signers read the key through. */
  readonly readThroughEndpoint: pulumi.Input<string>;
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

    this.secret = declareEncryptedSecret(
      name,
      {
        secretName: "signing-secret",
        region: args.region,
        administrators: args.administrators,
        deployers: args.deployers,
        readers: args.signers,
        readThroughEndpoint: args.readThroughEndpoint,
        keyDescription: "Encrypts the webhook HMAC signing key",
        secretDescription: "Standard Webhooks signing key (whsec_...) for fulfillment webhooks",
        value: pulumi.interpolate`${webhookSecretPrefix}${signingKey.base64}`,
        sids: {
          keyReaders: "WatcherReadsTheSigningKey",
          keyWriters: "AdministratorsWriteTheSigningKey",
          secretReaders: "OnlyTheWatcherReadsTheSigningKey",
        },
      },
      { parent: this },
    ).secret;
    this.secretArn = this.secret.arn;

    this.registerOutputs({ secretArn: this.secretArn, endpoints: args.endpoints });
  }
}
