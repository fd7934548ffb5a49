import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

// One client per container: the RPC secret and the webhook key are read at the same cold start,
// and a second client would open a second connection to Secrets Manager for it.
let shared: SecretsManagerClient | undefined;

/** The container's Secrets Manager client (region and credentials from the environment). */
export function sharedSecretsClient(): SecretsManagerClient {
  shared ??= new SecretsManagerClient({});
  return shared;
}
