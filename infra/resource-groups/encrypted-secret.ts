import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EncryptionKey } from "../components/encryption-key";
import { envelopeEncryptionActions, viaService } from "../definitions/key-policy";
import { policyJson } from "../definitions/policy-document";

export interface EncryptedSecretArgs {
  /** The secret's resource name after the owner's name: `<name>-<secretName>`; its key is `<name>-secret`. */
  readonly secretName: string;
  readonly region: string;
  /** Manage the key; never read the secret. */
  readonly administrators: readonly pulumi.Input<string>[];
  /** Run `pulumi up` and refresh: what deploying needs on the keys, never signing (config `deployers`). */
  readonly deployers: readonly pulumi.Input<string>[];
  /** The only roles that may read the secret and decrypt its key. */
  readonly readers: readonly pulumi.Input<string>[];
  /** The Secrets Manager VPC endpoint: the readers' GetSecretValue is allowed only through it (stolen credentials read nothing from outside). */
  readonly readThroughEndpoint: pulumi.Input<string>;
  readonly keyDescription: string;
  readonly secretDescription: string;
  /** Kept a Pulumi secret, so it stays encrypted in state and masked in the plan. */
  readonly value: pulumi.Input<string>;
  /** Statement ids of the key policy (readers, administrators) and of the secret policy (readers). */
  readonly sids: { readonly keyReaders: string; readonly keyWriters: string; readonly secretReaders: string };
}

export interface EncryptedSecret {
  readonly key: EncryptionKey;
  readonly secret: aws.secretsmanager.Secret;
}

/**
 * A Secrets Manager secret under its own customer-managed key, with its value
 * and a resource policy: only `readers` may read it, and only through Secrets
 * Manager. Declared under `opts.parent` (the component that owns the secret).
 */
export function declareEncryptedSecret(
  name: string,
  args: EncryptedSecretArgs,
  opts: { parent: pulumi.Resource },
): EncryptedSecret {
  const { parent } = opts;
  const names = { key: `${name}-secret`, secret: `${name}-${args.secretName}` };
  const key = new EncryptionKey(
    names.key,
    {
      description: args.keyDescription,
      administrators: args.administrators,
      deployers: args.deployers,
      uses: [
        {
          Sid: args.sids.keyReaders,
          Effect: "Allow",
          Principal: { AWS: args.readers },
          Action: ["kms:Decrypt"],
          Resource: "*",
          Condition: viaService("secretsmanager", args.region),
        },
        {
          // The deployer writes the value it holds (in Pulumi config or state), and refreshes it.
          Sid: args.sids.keyWriters,
          Effect: "Allow",
          Principal: { AWS: args.deployers },
          Action: envelopeEncryptionActions,
          Resource: "*",
          Condition: viaService("secretsmanager", args.region),
        },
      ],
    },
    { parent },
  );

  const secret = new aws.secretsmanager.Secret(
    names.secret,
    { description: args.secretDescription, kmsKeyId: key.arn, recoveryWindowInDays: 30 },
    { parent },
  );
  new aws.secretsmanager.SecretVersion(
    `${names.secret}-value`,
    { secretId: secret.id, secretString: pulumi.secret(args.value) },
    { parent },
  );
  new aws.secretsmanager.SecretPolicy(
    `${names.secret}-policy`,
    {
      secretArn: secret.arn,
      policy: policyJson([
        {
          Sid: args.sids.secretReaders,
          Effect: "Allow",
          Principal: { AWS: args.readers },
          Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceVpce": args.readThroughEndpoint } },
        },
      ]),
    },
    { parent },
  );

  return { key, secret };
}
