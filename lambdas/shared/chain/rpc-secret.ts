/**
 * The RPC URLs (checklist S3: they carry provider API keys) live in a Secrets
 * Manager secret, JSON `{"primary": "...", "fallback": "...",
 * "relayerApiKey": "..."}` (the meta-transaction relayer's key, when a
 * relayer is configured). Read once per
 * cold start by ARN and cached for the life of the process; never logged.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Logger } from "@aws-lambda-powertools/logger";
import { rpcUrlProblem } from "../../contract/rpc-url";
import { withToolCall } from "../runtime/logger";
import { sharedSecretsClient } from "../runtime/secrets-client";

export type RpcUrls = { primary: string; fallback?: string; relayerApiKey?: string };

/** The config's rule (lambdas/contract/rpc-url.ts), plus plain http to loopback for local test peers. */
function isHttpUrl(value: unknown): value is string {
  return rpcUrlProblem(value, { allowLoopbackHttp: true }) === undefined;
}

const cache = new Map<string, Promise<RpcUrls>>();

export class RpcSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RpcSecretError";
  }
}

/** Parses the secret string; the error never quotes the value. */
export function parseRpcSecret(secretString: string | undefined): RpcUrls {
  if (secretString === undefined) throw new RpcSecretError("the RPC secret has no SecretString");
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new RpcSecretError("the RPC secret is not JSON");
  }
  const record = (json ?? {}) as { primary?: unknown; fallback?: unknown; relayerApiKey?: unknown };
  const bad = [
    ...(isHttpUrl(record.primary) ? [] : ["primary"]),
    ...(record.fallback === undefined || isHttpUrl(record.fallback) ? [] : ["fallback"]),
    ...(record.relayerApiKey === undefined || (typeof record.relayerApiKey === "string" && record.relayerApiKey !== "")
      ? []
      : ["relayerApiKey"]),
  ];
  if (typeof json !== "object" || json === null || bad.length > 0) {
    throw new RpcSecretError(
      `the RPC secret must be {"primary": url, "fallback"?: url, "relayerApiKey"?: non-empty string}; bad: ${bad.join(", ") || "not an object"}`,
    );
  }
  return {
    primary: record.primary as string,
    ...(record.fallback !== undefined ? { fallback: record.fallback as string } : {}),
    ...(record.relayerApiKey !== undefined ? { relayerApiKey: record.relayerApiKey as string } : {}),
  };
}

/** The RPC URLs behind `secretArn`, fetched once per process (a failed read is not cached). */
export function readRpcSecret(options: {
  secretArn: string;
  logger: Logger;
  client?: SecretsManagerClient;
}): Promise<RpcUrls> {
  const cached = cache.get(options.secretArn);
  if (cached) return cached;
  const client = options.client ?? sharedSecretsClient();
  const pending = withToolCall(
    options.logger,
    { tool: "secrets", operation: "GetSecretValue" },
    async () => {
      const output = await client.send(new GetSecretValueCommand({ SecretId: options.secretArn }));
      return parseRpcSecret(output.SecretString);
    },
    (urls) => ({ details: { fallbackConfigured: urls.fallback !== undefined } }),
  );
  cache.set(options.secretArn, pending);
  pending.catch(() => cache.delete(options.secretArn));
  return pending;
}

/** Forgets cached secrets (tests; a rotated secret is picked up by the next cold start). */
export function clearRpcSecretCache(): void {
  cache.clear();
}
