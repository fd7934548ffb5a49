import * as pulumi from "@pulumi/pulumi";
import type { ConfigIssue, ConfigSource } from "./config-types";

/**
 * Paging endpoints that carry a secret (a PagerDuty integration key in the
 * URL, a chat webhook) live in one Pulumi secret, `boson-kit:alertEndpoints`
 * (a JSON list of https URLs): they reach SNS as secret inputs and never
 * appear in the stack file, the plan or the readiness report. Plain
 * `alerts.httpsEndpoints` is refused for hosts whose URLs are credentials.
 */
export const alertEndpointsKey = "alertEndpoints";

/** Hosts whose webhook URL is itself the credential. */
const credentialHosts = [
  /^events\.pagerduty\.com$/,
  /^hooks\.slack\.com$/,
  /(^|\.)webhook\.office\.com$/,
  /^discord(app)?\.com$/,
  /^chat\.googleapis\.com$/,
];

export function isCredentialUrl(url: string): boolean {
  return URL.canParse(url) && credentialHosts.some((host) => host.test(new URL(url).host));
}

export interface AlertSecrets {
  /** One secret Output per endpoint: the count is known, the URLs stay secret. */
  readonly endpoints: readonly pulumi.Output<string>[];
  readonly placeholder?: { readonly key: string; readonly reason: "encrypted" };
  readonly issues: readonly ConfigIssue[];
}

export function resolveAlertSecrets(source: ConfigSource, raw: Record<string, unknown>): AlertSecrets {
  const fullKey = `boson-kit:${alertEndpointsKey}`;
  const fix = `pulumi config set --secret ${fullKey} '["https://events.pagerduty.com/integration/<key>/enqueue"]' --stack ${source.stack}`;
  const issues: ConfigIssue[] = [];
  const plain = (raw.alerts as { httpsEndpoints?: unknown } | undefined)?.httpsEndpoints;
  (Array.isArray(plain) ? plain : []).forEach((url, index) => {
    if (typeof url === "string" && isCredentialUrl(url)) {
      issues.push({
        key: `boson-kit:alerts.httpsEndpoints.${index}`,
        value: "(a credential URL, hidden)",
        problem: "is a paging URL that carries its own credential, stored in plaintext",
        fix: `remove it from alerts.httpsEndpoints and keep it as a secret: ${fix}`,
      });
    }
  });
  const value = raw[alertEndpointsKey];
  if (value === undefined) return { endpoints: [], issues };
  if (typeof value === "object" && value !== null && "secure" in value) {
    // Offline the secret stays encrypted: its subscriptions are not declared, and the plan says so.
    return { endpoints: [], placeholder: { key: fullKey, reason: "encrypted" }, issues };
  }
  if (!source.secretKeys.has(fullKey)) {
    return {
      endpoints: [],
      issues: [
        ...issues,
        {
          key: fullKey,
          value: "(plaintext, hidden)",
          problem: "must be a Pulumi secret: paging URLs carry credentials",
          fix: `pulumi config rm ${fullKey} --stack ${source.stack} && ${fix}`,
        },
      ],
    };
  }
  const list: unknown = typeof value === "string" ? safeJson(value) : value;
  if (
    !Array.isArray(list) ||
    list.some((url) => typeof url !== "string" || !URL.canParse(url) || new URL(url).protocol !== "https:")
  ) {
    return {
      endpoints: [],
      issues: [
        ...issues,
        { key: fullKey, value: "(a value, hidden)", problem: "must be a JSON list of https:// URLs", fix },
      ],
    };
  }
  return { endpoints: (list as string[]).map((url) => pulumi.secret(url)), issues };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
