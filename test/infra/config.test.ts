import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ConfigError, parseKitConfig, secretPlaceholder, type ConfigSource, type KitConfig } from "../../infra/config";
import { officialDeployment } from "../../infra/official-table";
import { committedStacks, readStackFile, stackSource } from "../../infra/offline/stack-file";

/** Resolves a secret Output to its value (tests only: the program never unwraps secrets). */
function secretValue(output: KitConfig["rpc"]["primaryUrl"]): Promise<string> {
  return new Promise((resolve) => output.apply(resolve));
}

/** The committed staging stack's values, deep-copied so each case can break one thing. */
function stagingValues(): Record<string, unknown> {
  return structuredClone(readStackFile("staging").values) as Record<string, unknown>;
}

function productionValues(): Record<string, unknown> {
  return structuredClone(readStackFile("production").values) as Record<string, unknown>;
}

type Mutation = (values: Record<string, unknown>) => void;

const seller = (values: Record<string, unknown>) => values["boson-kit:seller"] as Record<string, unknown>;
const firstToken = (values: Record<string, unknown>) => (seller(values).tokens as Record<string, unknown>[])[0] as Record<string, unknown>;

// A fixture URL that is obviously not a real provider key.
const testRpcUrl = "https://rpc.test.invalid/not-a-real-key";

interface InvalidCase {
  readonly name: string;
  readonly stack: string;
  readonly base: () => Record<string, unknown>;
  readonly mutate: Mutation;
  readonly mode?: ConfigSource["mode"];
  readonly secretKeys?: readonly string[];
  readonly key: string;
  readonly problem: RegExp;
}

const invalidConfigs: InvalidCase[] = [
  {
    name: "production configId on a staging stack",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:configId"] = "production-137-0"),
    key: "boson-kit:configId",
    problem: /accepts only configIds starting with staging-/,
  },
  {
    name: "staging configId on a production stack",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:configId"] = "staging-80002-0"),
    key: "boson-kit:configId",
    problem: /accepts only configIds starting with production-/,
  },
  {
    name: "production configId on a developer's own stack",
    stack: "alice",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:configId"] = "production-137-0"),
    key: "boson-kit:configId",
    problem: /local-, testing-, staging-/,
  },
  {
    name: "configId that the official table does not know",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:configId"] = "staging-999-0"),
    key: "boson-kit:configId",
    problem: /not in the official Boson table; known configIds: .*staging-80002-0/,
  },
  {
    name: "malformed configId",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:configId"] = "stg-amoy"),
    key: "boson-kit:configId",
    problem: /<env>-<chainId>-<n>/,
  },
  {
    name: "protocol diamond that differs from the official one",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:protocolDiamond"] = "0x1111111111111111111111111111111111111111"),
    key: "boson-kit:protocolDiamond",
    problem: /official protocol diamond 0x59A4C19b55193D5a2EAD0065c54af4d516E18Cb5 .*@bosonprotocol\/common@/,
  },
  {
    name: "protocol diamond that is not an address",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:protocolDiamond"] = "0x1234"),
    key: "boson-kit:protocolDiamond",
    problem: /20-byte hex address/,
  },
  {
    name: "confirmations below the chain's minimum",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:confirmations"] = 1),
    key: "boson-kit:confirmations",
    problem: /below Polygon PoS's minimum of 3/,
  },
  {
    name: "confirmations that are not a number",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:confirmations"] = "many"),
    key: "boson-kit:confirmations",
    problem: /whole number/,
  },
  {
    name: "seller admin that is not an address",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (seller(v).admin = "alice.eth"),
    key: "boson-kit:seller.admin",
    problem: /smart account/,
  },
  {
    name: "seller treasury with a broken EIP-55 checksum",
    stack: "production",
    base: productionValues,
    mutate: (v) => (seller(v).treasury = "0x7EA5ba7e000000000000000000000000000000A1"),
    key: "boson-kit:seller.treasury",
    problem: /EIP-55 checksum does not match/,
  },
  {
    name: "no token to withdraw",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (seller(v).tokens = []),
    key: "boson-kit:seller.tokens",
    problem: /at least one token/,
  },
  {
    name: "withdrawal threshold that is not whole wei",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (firstToken(v).withdrawThresholdWei = "1.5"),
    key: "boson-kit:seller.tokens.0.withdrawThresholdWei",
    problem: /positive whole number/,
  },
  {
    name: "gas alert ratios out of order",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => ((v["boson-kit:gas"] as Record<string, unknown>).alertRatios = [0.1, 0.2, 0.5]),
    key: "boson-kit:gas.alertRatios",
    problem: /falling order/,
  },
  {
    name: "expected daily burn missing",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:gas"] = {}),
    key: "boson-kit:gas.expectedDailyBurnWei",
    problem: /in wei/,
  },
  {
    name: "subgraph lag of zero blocks",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:subgraph"] = { maxLagBlocks: 0 }),
    key: "boson-kit:subgraph.maxLagBlocks",
    problem: /at least 1/,
  },
  {
    name: "schedule that EventBridge Scheduler would reject",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => ((v["boson-kit:schedules"] as Record<string, unknown>).health = "every 5 minutes"),
    key: "boson-kit:schedules.health",
    problem: /rate\(5 minutes\)/,
  },
  {
    name: "nobody to page",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:alerts"] = { emails: [] }),
    key: "boson-kit:alerts",
    problem: /nobody is paged/,
  },
  {
    name: "alert endpoint over plain http",
    stack: "production",
    base: productionValues,
    mutate: (v) => ((v["boson-kit:alerts"] as Record<string, unknown>).httpsEndpoints = ["http://pager.example.com/hook"]),
    key: "boson-kit:alerts.httpsEndpoints.0",
    problem: /https:\/\//,
  },
  {
    name: "wildcard key administrator",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:kmsAdministrators"] = ["arn:aws:iam::123456789012:role/*"]),
    key: "boson-kit:kmsAdministrators.0",
    problem: /no wildcards/,
  },
  {
    name: "log retention CloudWatch does not offer",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:logRetentionDays"] = 42),
    key: "boson-kit:logRetentionDays",
    problem: /one of 1, 3, 5/,
  },
  {
    name: "production in a single availability zone",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:availabilityZones"] = 1),
    key: "boson-kit:availabilityZones",
    problem: /at least 2 availability zones/,
  },
  {
    name: "GCP project id that GCP would reject",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => ((v["boson-kit:gcp"] as Record<string, unknown>).project = "My Project"),
    key: "boson-kit:gcp.project",
    problem: /GCP project id/,
  },
  {
    name: "misspelt key",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:confirmation"] = 3),
    key: "boson-kit:confirmation",
    problem: /not a key the kit knows/,
  },
  {
    name: "RPC URL in plaintext",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:rpcPrimaryUrl"] = testRpcUrl),
    key: "boson-kit:rpcPrimaryUrl",
    problem: /plaintext.*must be a Pulumi secret/,
  },
  {
    name: "RPC secret missing under pulumi up",
    stack: "production",
    base: productionValues,
    mode: "deploy",
    mutate: (v) => (v["boson-kit:rpcFallbackUrl"] = testRpcUrl),
    secretKeys: ["boson-kit:rpcFallbackUrl"],
    key: "boson-kit:rpcPrimaryUrl",
    problem: /is required/,
  },
  {
    name: "RPC secret over plain http",
    stack: "production",
    base: productionValues,
    mode: "deploy",
    mutate: (v) => {
      v["boson-kit:rpcPrimaryUrl"] = "http://rpc.test.invalid/not-a-real-key";
      v["boson-kit:rpcFallbackUrl"] = testRpcUrl;
    },
    secretKeys: ["boson-kit:rpcPrimaryUrl", "boson-kit:rpcFallbackUrl"],
    key: "boson-kit:rpcPrimaryUrl",
    problem: /https:\/\/ or wss:\/\//,
  },
  {
    name: "relayer URL other than the official meta-transaction relayer",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:relayer"] = { url: "https://relayer.test.invalid", apiId: "test-api-id" }),
    key: "boson-kit:relayer.url",
    problem: /is not the official meta-transaction relayer/,
  },
  {
    name: "relayer api key in plaintext",
    stack: "staging",
    base: stagingValues,
    mode: "deploy",
    mutate: (v) => {
      v["boson-kit:rpcPrimaryUrl"] = testRpcUrl;
      v["boson-kit:rpcFallbackUrl"] = testRpcUrl;
      v["boson-kit:relayer"] = { apiId: "test-api-id" };
      v["boson-kit:relayerApiKey"] = "not-a-real-key";
    },
    secretKeys: ["boson-kit:rpcPrimaryUrl", "boson-kit:rpcFallbackUrl"],
    key: "boson-kit:relayerApiKey",
    problem: /must be a non-empty Pulumi secret/,
  },
  {
    name: "relayer without its api id",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:relayer"] = {}),
    key: "boson-kit:relayer.apiId",
    problem: /api id/,
  },
  {
    name: "AWS region missing",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => delete v["aws:region"],
    key: "aws:region",
    problem: /AWS region/,
  },
];

function configErrorFor(testCase: InvalidCase): ConfigError {
  const values = testCase.base();
  testCase.mutate(values);
  const source: ConfigSource = {
    ...stackSource(testCase.stack, values),
    mode: testCase.mode ?? "offline",
    ...(testCase.secretKeys ? { secretKeys: new Set(testCase.secretKeys) } : {}),
  };
  try {
    parseKitConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected "${testCase.name}" to be refused, but it validated`);
}

describe("stack config validation", () => {
  it("has at least 15 distinct invalid configs, each on its own key or rule", () => {
    expect(invalidConfigs.length).toBeGreaterThanOrEqual(15);
    expect(new Set(invalidConfigs.map((c) => c.name)).size).toBe(invalidConfigs.length);
  });

  describe.each(invalidConfigs)("refuses $name", (testCase) => {
    it("with one message naming the key, the bad value and the fix", () => {
      const error = configErrorFor(testCase);
      const issue = error.issues.find((candidate) => candidate.key === testCase.key);
      expect(issue, `issues were: ${error.message}`).toBeDefined();
      expect(issue?.problem).toMatch(testCase.problem);
      expect(issue?.value).not.toBe("");
      expect(issue?.fix).toMatch(/pulumi config|infra\/chains\.ts/);
      expect(error.message).toContain(testCase.key);
      expect(error.message).toContain(issue?.fix);
      // Secret values never appear in an error, even when they are the problem.
      expect(error.message).not.toContain("not-a-real-key");
    });
  });
});

describe("the committed stack files", () => {
  it("are staging, production and production's standby", () => {
    expect(committedStacks()).toEqual(["production", "production-standby", "staging"]);
  });

  it.each(["staging", "production"])("%s validates, with defaults from the official Boson table", (stack) => {
    const config = parseKitConfig(readStackFile(stack));
    const official = officialDeployment(config.configId);
    expect(config.environment).toBe(stack);
    expect(config.configId.startsWith(`${stack}-`)).toBe(true);
    expect(config.protocol.diamond).toBe(official?.protocolDiamond);
    expect(config.protocol.subgraphUrl).toBe(official?.subgraphUrl);
    expect(config.chain.id).toBe(official?.chainId);
    expect(config.confirmations).toBeGreaterThanOrEqual(config.chain.minimum);
    expect(config.gas.alertRatios).toEqual([0.5, 0.2, 0.1]);
    expect(config.subgraph.maxLagBlocks).toBe(20);
  });

  it("hold no secret: the offline plan substitutes placeholders and says which", async () => {
    const config = parseKitConfig(readStackFile("production"));
    expect(config.placeholders).toEqual([
      { key: "boson-kit:rpcPrimaryUrl", reason: "absent" },
      { key: "boson-kit:rpcFallbackUrl", reason: "absent" },
    ]);
    expect(await secretValue(config.rpc.primaryUrl)).toBe(secretPlaceholder("rpcPrimaryUrl"));
  });

  it("treats an encrypted secret as a placeholder offline", () => {
    const values = productionValues();
    values["boson-kit:rpcPrimaryUrl"] = { secure: "v1:bm90LWEtcmVhbC1jaXBoZXJ0ZXh0" };
    const config = parseKitConfig(stackSource("production", values));
    expect(config.placeholders[0]).toEqual({ key: "boson-kit:rpcPrimaryUrl", reason: "encrypted" });
  });

  it("defaults the relayer to the official table's meta-transaction relayer; its api key stays a secret, out of the settings", async () => {
    const values = stagingValues();
    values["boson-kit:rpcPrimaryUrl"] = testRpcUrl;
    values["boson-kit:rpcFallbackUrl"] = testRpcUrl;
    values["boson-kit:relayer"] = { apiId: "test-api-id" };
    values["boson-kit:relayerApiKey"] = "not-a-real-key";
    const config = parseKitConfig({
      ...stackSource("staging", values),
      mode: "deploy",
      secretKeys: new Set(["boson-kit:rpcPrimaryUrl", "boson-kit:rpcFallbackUrl", "boson-kit:relayerApiKey"]),
    });
    const official = officialDeployment("staging-80002-0");
    expect(official?.metaTxRelayerUrl).toMatch(/^https:\/\//);
    expect(config.relayer).toEqual({ url: official?.metaTxRelayerUrl, apiId: "test-api-id", ratePerSecond: 5, burst: 10, timeoutMs: 10_000 });
    expect(JSON.stringify(config.relayer)).not.toContain("not-a-real-key");
    expect(config.rpc.relayerApiKey).toBeDefined();
    expect(await secretValue(config.rpc.relayerApiKey as KitConfig["rpc"]["primaryUrl"])).toBe("not-a-real-key");
    expect(await pulumi.isSecret(config.rpc.relayerApiKey as KitConfig["rpc"]["primaryUrl"])).toBe(true);
  });

  it("accepts an unofficial relayer URL only when the stack says so", () => {
    const values = stagingValues();
    values["boson-kit:relayer"] = { url: "https://relayer.test.invalid", apiId: "test-api-id", allowUnofficialUrl: true };
    const config = parseKitConfig({ ...stackSource("staging", values), mode: "offline" });
    expect(config.relayer?.url).toBe("https://relayer.test.invalid");
    expect(config.placeholders.map((entry) => entry.key)).toContain("boson-kit:relayerApiKey");
  });

  it("uses the secrets as given under pulumi up, and keeps them secret", async () => {
    const values = productionValues();
    values["boson-kit:rpcPrimaryUrl"] = testRpcUrl;
    values["boson-kit:rpcFallbackUrl"] = "wss://fallback.test.invalid/not-a-real-key";
    const config = parseKitConfig({
      ...stackSource("production", values),
      mode: "deploy",
      secretKeys: new Set(["boson-kit:rpcPrimaryUrl", "boson-kit:rpcFallbackUrl"]),
    });
    expect(config.placeholders).toEqual([]);
    expect(await secretValue(config.rpc.primaryUrl)).toBe(testRpcUrl);
    expect(await pulumi.isSecret(config.rpc.primaryUrl)).toBe(true);
  });

  it("defaults per environment: AZs and retention grow from staging to production", () => {
    const staging = stagingValues();
    const production = productionValues();
    for (const values of [staging, production]) {
      delete values["boson-kit:availabilityZones"];
      delete values["boson-kit:logRetentionDays"];
      delete values["boson-kit:confirmations"];
    }
    const stagingConfig = parseKitConfig(stackSource("staging", staging));
    const productionConfig = parseKitConfig(stackSource("production", production));
    expect([stagingConfig.aws.availabilityZones, productionConfig.aws.availabilityZones]).toEqual([1, 2]);
    expect([stagingConfig.logRetentionDays, productionConfig.logRetentionDays]).toEqual([30, 365]);
    expect(productionConfig.confirmations).toBe(3);
  });

  it("defaults Ethereum mainnet to 12 confirmations", () => {
    const values = productionValues();
    values["boson-kit:configId"] = "production-1-0";
    delete values["boson-kit:confirmations"];
    expect(parseKitConfig(stackSource("production-ethereum", values)).confirmations).toBe(12);
  });

  it("accepts an explicit diamond address equal to the official one in any case", () => {
    const values = productionValues();
    values["boson-kit:protocolDiamond"] = officialDeployment("production-137-0")?.protocolDiamond.toLowerCase();
    expect(parseKitConfig(stackSource("production", values)).protocol.diamond).toBe(
      officialDeployment("production-137-0")?.protocolDiamond,
    );
  });

  it("lets a developer's own stack use a testing configId", () => {
    const values = stagingValues();
    values["boson-kit:configId"] = "testing-80002-0";
    const config = parseKitConfig(stackSource("alice", values));
    expect(config.environment).toBe("development");
    expect(config.chain.id).toBe(80002);
  });
});
