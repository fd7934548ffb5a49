import { describe, expect, it } from "vitest";
import { readJobEnvironment } from "../../lambdas/shared/runtime/environment";

// Placeholder ids: the shapes infra sets, none of them real.
const complete = {
  KIT_STACK: "staging",
  CONFIG_ID: "staging-80002-0",
  CHAIN_ID: "80002",
  PROTOCOL_DIAMOND: `0x${"11".repeat(20)}`,
  SUBGRAPH_URL: "https://subgraph.test.invalid/",
  CONFIRMATIONS: "3",
  SELLER_ID: "7",
  SELLER_TREASURY: `0x${"22".repeat(20)}`,
  SELLER_ADMIN: `0x${"33".repeat(20)}`,
  SELLER_TOKENS: JSON.stringify([{ address: `0x${"00".repeat(20)}`, symbol: "POL", withdrawThresholdWei: "5" }]),
  EXPECTED_DAILY_BURN_WEI: "1000",
  SUBGRAPH_MAX_LAG_BLOCKS: "20",
  RPC_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rpc",
};

describe("the Lambda environment contract", () => {
  it("reads ids, numbers and JSON lists into typed values", () => {
    const env = readJobEnvironment({ ...complete, SMOKE_BUYER_PERCENT: "0", WATCHER_START_BLOCK: "42" });
    expect(env.CHAIN_ID).toBe(80002);
    expect(env.CONFIRMATIONS).toBe(3);
    expect(env.SELLER_TOKENS).toEqual([{ address: `0x${"00".repeat(20)}`, symbol: "POL", withdrawThresholdWei: "5" }]);
    expect(env.SMOKE_BUYER_PERCENT).toBe(0);
    expect(env.WATCHER_START_BLOCK).toBe(42n);
    expect(env.KEY_ID).toBeUndefined();
  });

  it("names every bad or missing variable in one error", () => {
    const { RPC_SECRET_ARN: _missing, ...withoutSecretArn } = complete;
    expect(() =>
      readJobEnvironment({
        ...withoutSecretArn,
        CHAIN_ID: "1.5",
        SELLER_TOKENS: "{not json",
        WATCHER_MAX_BLOCK_RANGE: "200000",
      }),
    ).toThrowError(
      /CHAIN_ID: must be a whole number.*SELLER_TOKENS: must be JSON.*RPC_SECRET_ARN.*WATCHER_MAX_BLOCK_RANGE/,
    );
  });

  it("refuses a configId or address of the wrong shape", () => {
    expect(() => readJobEnvironment({ ...complete, CONFIG_ID: "amoy" })).toThrowError(/CONFIG_ID/);
    expect(() => readJobEnvironment({ ...complete, SELLER_TREASURY: "0x1234" })).toThrowError(
      /SELLER_TREASURY: must be a 0x-prefixed 20-byte address/,
    );
  });

  it("names a refused variable and what it expects, never the value it holds", () => {
    // A URL with an API key in its path, and a value pasted into the wrong variable.
    const refused = { SUBGRAPH_URL: "gateway/api/placeholder-api-key/subgraphs", SELLER_ADMIN: "placeholder-secret" };
    const read = () => readJobEnvironment({ ...complete, ...refused });
    expect(read).toThrowError(/SUBGRAPH_URL: invalid url; SELLER_ADMIN: must be a 0x-prefixed 20-byte address/);
    expect(read).not.toThrowError(/placeholder/);
    expect(() => readJobEnvironment({ ...complete, SELLER_ID: undefined })).toThrowError(
      /SELLER_ID: missing \(expected string\)/,
    );
  });
});
