/**
 * The meta-transaction relayer's settings (checklist O4). The URL defaults to
 * the official table's meta-transaction relayer for the configId; another
 * URL is refused unless the stack says so (`allowUnofficialUrl`), as for the
 * diamond. The api key is a Pulumi secret (`relayerApiKey`) that travels to
 * the jobs only inside the CMK-encrypted RPC secret, never in the environment.
 */
import * as pulumi from "@pulumi/pulumi";
import type { OfficialDeployment } from "../official-table";

export type RawRelayerConfig = {
  readonly url?: string | undefined;
  readonly apiId: string;
  readonly allowUnofficialUrl: boolean;
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly timeoutMs: number;
};

export type RelayerSettings = {
  readonly url: string;
  readonly apiId: string;
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly timeoutMs: number;
};

type Issue = { key: string; value: string; problem: string; fix: string };

export const relayerApiKeyConfigKey = "relayerApiKey";

/** The relayer settings (what the jobs' RELAYER variable carries) and the api key, or the problems that stop them. */
export function resolveRelayer(parameters: {
  namespace: string;
  stack: string;
  relayer: RawRelayerConfig;
  official: OfficialDeployment;
  apiKey: unknown;
  apiKeyIsSecret: boolean;
  mode: "deploy" | "offline";
}): {
  settings?: RelayerSettings;
  apiKey?: pulumi.Output<string>;
  placeholder?: { key: string; reason: "absent" | "encrypted" };
  issues: Issue[];
} {
  const { namespace, stack, relayer, official } = parameters;
  const issues: Issue[] = [];
  const urlKey = `${namespace}:relayer.url`;
  const apiKeyKey = `${namespace}:${relayerApiKeyConfigKey}`;
  const url = relayer.url ?? official.metaTxRelayerUrl;
  if (url === undefined) {
    issues.push({
      key: urlKey,
      value: "(not set)",
      problem: `the official table has no meta-transaction relayer for ${official.configId} (${official.source})`,
      fix: `pulumi config set --path '${urlKey}' https://<relayer> --stack ${stack} and set relayer.allowUnofficialUrl true, or remove relayer`,
    });
  } else if (relayer.url !== undefined && relayer.url !== official.metaTxRelayerUrl && !relayer.allowUnofficialUrl) {
    issues.push({
      key: urlKey,
      value: relayer.url,
      problem: `is not the official meta-transaction relayer ${official.metaTxRelayerUrl ?? "(none)"} for ${official.configId}, from ${official.source}`,
      fix: `pulumi config rm --path '${urlKey}' --stack ${stack} (the official relayer is used by default), or set relayer.allowUnofficialUrl true to use your own`,
    });
  }
  const apiKeyFix = `pulumi config set --secret ${apiKeyKey} '<relayer api key>' --stack ${stack}`;
  const encrypted =
    typeof parameters.apiKey === "object" && parameters.apiKey !== null && "secure" in parameters.apiKey;
  let apiKey: pulumi.Output<string> | undefined;
  let placeholder: { key: string; reason: "absent" | "encrypted" } | undefined;
  if (parameters.apiKey === undefined || encrypted) {
    if (parameters.mode === "offline") {
      apiKey = pulumi.secret("relayer-api-key-placeholder");
      placeholder = { key: apiKeyKey, reason: encrypted ? "encrypted" : "absent" };
    } else {
      issues.push({
        key: apiKeyKey,
        value: "(not set)",
        problem: "is required with a relayer: the relayer refuses calls without its api key",
        fix: apiKeyFix,
      });
    }
  } else if (typeof parameters.apiKey !== "string" || parameters.apiKey === "" || !parameters.apiKeyIsSecret) {
    issues.push({
      key: apiKeyKey,
      value: "(plaintext, hidden)",
      problem: "must be a non-empty Pulumi secret: the api key lets anyone spend the relayer's gas budget",
      fix: `pulumi config rm ${apiKeyKey} --stack ${stack} && ${apiKeyFix}`,
    });
  } else {
    apiKey = pulumi.secret(parameters.apiKey);
  }
  if (issues.length > 0 || url === undefined) return { issues };
  const settings = {
    url,
    apiId: relayer.apiId,
    ratePerSecond: relayer.ratePerSecond,
    burst: relayer.burst,
    timeoutMs: relayer.timeoutMs,
  };
  return { settings, ...(apiKey ? { apiKey } : {}), ...(placeholder ? { placeholder } : {}), issues };
}
