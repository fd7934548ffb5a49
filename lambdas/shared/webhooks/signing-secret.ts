import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/**
 * The webhook HMAC key (checklist S5), read from Secrets Manager by ARN once
 * per cold start: the Lambda's environment holds only the ARN. The value is a
 * Standard Webhooks secret, `whsec_` followed by the base64 key.
 */

const webhookSecretPattern = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

export class WebhookSecretError extends Error {
  override name = "WebhookSecretError";
}

/** Checks the shape of a secret without ever putting its value in the error. */
export function parseWebhookSecret(value: string | undefined): string {
  const trimmed = value?.trim();
  if (trimmed === undefined || trimmed === "") throw new WebhookSecretError("the webhook secret is empty");
  if (!webhookSecretPattern.test(trimmed)) {
    throw new WebhookSecretError("the webhook secret is not a Standard Webhooks secret (whsec_ + base64)");
  }
  if (Buffer.from(trimmed.slice("whsec_".length), "base64").length < 24) {
    throw new WebhookSecretError("the webhook secret is shorter than 24 bytes");
  }
  return trimmed;
}

/** A reader that fetches the secret on first use and keeps it for the life of the container. */
export function createWebhookSecretReader(client: SecretsManagerClient, secretArn: string): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= client
      .send(new GetSecretValueCommand({ SecretId: secretArn }))
      .then((result) => parseWebhookSecret(result.SecretString))
      .catch((error: unknown) => {
        cached = undefined; // a failed read is retried on the next call, not cached
        throw error;
      });
    return cached;
  };
}
