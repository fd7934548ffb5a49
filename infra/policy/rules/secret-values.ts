/**
 * What a secret looks like in a Lambda environment variable (S1, S3, C1):
 * by name (PRIVATE_KEY, *_SECRET, RPC_URL...) or by value (an Ethereum
 * private key, a PEM block, an AWS access key, a mnemonic, a URL carrying
 * credentials or an RPC provider key). Ids and ARNs of secrets are fine:
 * that is how jobs find the secret at run time.
 */

/** Names that hold ids or ARNs *of* secrets, never their value. */
const referenceName = /(_ARN|_ID|_NAME|_TABLE|_REGION)$/i;

const secretName =
  /(PRIVATE_?KEY|PRIV_?KEY|MNEMONIC|SEED_?PHRASE|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|AUTH_?TOKEN|BEARER|HMAC|SIGNING_?KEY|RPC(_[A-Z]+)?_URL|^RPC$)/i;

const valuePatterns: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: "an Ethereum private key (32 bytes of hex)", pattern: /^(0x)?[0-9a-fA-F]{64}$/ },
  { what: "a PEM private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: "an AWS access key id", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: "a 12-24 word mnemonic", pattern: /^([a-z]{3,8} ){11,23}[a-z]{3,8}$/ },
];

/** RPC providers put the API key in the path (Infura /v3/<32 hex>, Alchemy /v2/<key>) or the query. */
function urlSecret(value: string): string | undefined {
  for (const candidate of value.match(/\b(https?|wss?):\/\/[^\s"',\]]+/g) ?? []) {
    if (!URL.canParse(candidate)) continue;
    const url = new URL(candidate);
    if (url.password !== "") return "a URL with a password in it";
    if ([...url.searchParams.keys()].some((key) => /key|token|secret|auth|sig|password/i.test(key))) {
      return "a URL whose query carries a key or token";
    }
    if (/\/v3\/[0-9a-f]{32}\b/.test(url.pathname) || /\/v2\/[A-Za-z0-9_-]{20,}/.test(url.pathname)) {
      return "an RPC URL with a provider API key in its path";
    }
  }
  return undefined;
}

/** Why an environment variable looks like it holds a secret, or undefined when it does not. */
export function secretInEnvironment(name: string, value: unknown): string | undefined {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? "");
  if (!referenceName.test(name) && secretName.test(name)) return `its name (${name}) says it holds a secret`;
  for (const { what, pattern } of valuePatterns) if (pattern.test(text)) return `its value looks like ${what}`;
  const fromUrl = urlSecret(text);
  return fromUrl ? `its value is ${fromUrl}` : undefined;
}
