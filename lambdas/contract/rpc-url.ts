/**
 * The one rule for an RPC URL, shared by the stack config (which refuses a bad
 * URL before `pulumi up`) and the jobs (which read the URLs from the secret at
 * cold start), so a URL the config accepts is a URL every job can use.
 *
 * wss:// is refused on both sides: the jobs use viem's HTTP transport (one
 * request per call, retried and failed over per request), which a WebSocket
 * URL cannot serve, and a socket held open across Lambda freezes drops silently.
 */

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);

export interface RpcUrlRules {
  /** Plain http to a loopback host: local test peers only, never a deployed stack. */
  readonly allowLoopbackHttp: boolean;
}

/** Why `value` cannot be an RPC URL, or undefined when it can. Never quotes the value (it carries an API key). */
export function rpcUrlProblem(value: unknown, rules: RpcUrlRules): string | undefined {
  if (typeof value !== "string" || !URL.canParse(value)) return "must be an https:// RPC URL";
  const url = new URL(value);
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && rules.allowLoopbackHttp && loopbackHosts.has(url.hostname)) return undefined;
  if (url.protocol === "wss:" || url.protocol === "ws:") {
    return "must be an https:// RPC URL: the jobs use an HTTP transport, so a WebSocket (wss://) URL would fail at every cold start; use the provider's https:// endpoint";
  }
  return "must be an https:// RPC URL";
}
