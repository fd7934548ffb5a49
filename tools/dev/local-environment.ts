/**
 * A job's environment for a local run: the variables the local stack gives
 * its function, with the values that exist only after a deploy (key id,
 * secret ARNs, the signer's address, the subgraph and webhook endpoints) taken
 * from the local peers, and the AWS SDK pointed at them through the
 * AWS_ENDPOINT_URL_<SERVICE> variables the SDK reads.
 */
import { environmentVariables as names } from "../../lambdas/contract";
import type { LocalJob } from "./local-stack";
import type { LocalPeers } from "./peers";

export function localEnvironment(job: LocalJob, peers: LocalPeers): Record<string, string> {
  const env: Record<string, string> = { ...job.environment };
  const replace = (name: string, value: string) => {
    if (name in env) env[name] = value;
  };
  replace(names.keyId, peers.keyId);
  replace(names.rpcSecretArn, peers.rpcSecretArn);
  replace(names.webhookSecretArn, peers.webhookSecretArn);
  replace(names.signerAddress, peers.signer);
  replace(names.pinnedSignerAddress, peers.signer);
  replace(names.subgraphUrl, peers.subgraph.url);
  const relayer = env[names.relayer];
  if (relayer !== undefined)
    env[names.relayer] = JSON.stringify({
      ...(JSON.parse(relayer) as Record<string, unknown>),
      url: peers.relayer.url,
    });
  if (names.webhookEndpoints in env) env[names.webhookEndpoints] = JSON.stringify([peers.receiver.url]);
  // The watcher starts from the fixture's deployment, not from the head, so the whole local history is seen.
  env[names.watcherStartBlock] ??= String(peers.fixture.deployBlock);
  return {
    ...env,
    AWS_REGION: "eu-west-1",
    AWS_LAMBDA_FUNCTION_NAME: job.functionName,
    // The local peers accept any credentials; these are not keys to anything.
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_KMS: peers.kms.url,
    AWS_ENDPOINT_URL_DYNAMODB: peers.dynalite.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: peers.secrets.url,
  };
}
