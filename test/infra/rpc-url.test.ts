import { describe, expect, it } from "vitest";
import { ConfigError, parseKitConfig } from "../../infra/config";
import { readStackFile, stackSource } from "../../infra/offline/stack-file";
import { parseRpcSecret } from "../../lambdas/shared/chain/rpc-secret";

/** Whether `pulumi up` would accept `url` as the primary RPC URL. */
function configAccepts(url: string): boolean {
  const values = {
    ...readStackFile("production").values,
    "boson-kit:rpcPrimaryUrl": url,
    "boson-kit:rpcFallbackUrl": "https://fallback.test.invalid/k",
  };
  try {
    parseKitConfig({
      ...stackSource("production", values),
      mode: "deploy",
      secretKeys: new Set(["boson-kit:rpcPrimaryUrl", "boson-kit:rpcFallbackUrl"]),
    });
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

/** Whether a job would accept `url` from the RPC secret at cold start. */
function jobAccepts(url: string): boolean {
  try {
    parseRpcSecret(JSON.stringify({ primary: url }));
    return true;
  } catch {
    return false;
  }
}

describe("an RPC URL the config accepts is one every job accepts", () => {
  it.each([
    "https://polygon.test.invalid/v2/key",
    "wss://polygon.test.invalid/ws/v2/key",
    "ws://polygon.test.invalid/ws",
    "http://polygon.test.invalid/v2/key",
    "ftp://polygon.test.invalid/key",
  ])("%s", (url) => {
    expect(configAccepts(url)).toBe(jobAccepts(url));
  });

  it("and wss:// is refused on both sides, by the same reason", () => {
    expect(configAccepts("wss://polygon.test.invalid/ws")).toBe(false);
    expect(jobAccepts("wss://polygon.test.invalid/ws")).toBe(false);
  });

  it("plain http reaches the jobs only on loopback (local test peers), never through the config", () => {
    expect(jobAccepts("http://127.0.0.1:8545/")).toBe(true);
    expect(configAccepts("http://127.0.0.1:8545/")).toBe(false);
  });
});
