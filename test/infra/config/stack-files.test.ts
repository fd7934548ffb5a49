import * as pulumi from "@pulumi/pulumi";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseKitConfig, secretPlaceholder, type KitConfig } from "../../../infra/config";
import { officialDeployment } from "../../../infra/official-table";
import { committedStacks, readStackFile, stackSource } from "../../../infra/offline/stack-file";
import { erc20Address, productionValues, secretValue, smoke, stagingValues, testRpcUrl } from "./fixtures";

describe("a stack file with a YAML syntax error", () => {
  it("is refused with the file and the line", () => {
    const dir = mkdtempSync(join(tmpdir(), "kit-yaml-"));
    writeFileSync(
      join(dir, "Pulumi.broken.yaml"),
      "config:\n  aws:region: eu-west-1\n  boson-kit:configId: staging-80002-0\n\tboson-kit:confirmations: 3\n",
    );
    let error: unknown;
    try {
      readStackFile("broken", dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const [issue] = (error as ConfigError).issues;
    expect(issue?.key).toMatch(/^Pulumi\.broken\.yaml:4$/);
    expect(issue?.value).toBe("line 4");
    expect(issue?.problem).toMatch(/is not valid YAML: Tabs are not allowed/);
    expect(issue?.fix).toMatch(/fix the YAML at Pulumi\.broken\.yaml:4/);
  });
});

describe("the committed stack files", () => {
  it("are staging, production, production's standby and the local stack npm run dev runs", () => {
    expect(committedStacks()).toEqual(["local", "production", "production-standby", "staging"]);
  });

  it("local names the official local-31337-0 deployment, unchanged (H1)", () => {
    const config = parseKitConfig(readStackFile("local"));
    expect(config.environment).toBe("development");
    expect(config.configId).toBe("local-31337-0");
    expect(config.protocol.diamond).toBe(officialDeployment("local-31337-0")?.protocolDiamond);
    expect(config.chain.id).toBe(31337);
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
    smoke(values).exchangeToken = "free";
    const config = parseKitConfig({
      ...stackSource("staging", values),
      mode: "deploy",
      secretKeys: new Set(["boson-kit:rpcPrimaryUrl", "boson-kit:rpcFallbackUrl", "boson-kit:relayerApiKey"]),
    });
    const official = officialDeployment("staging-80002-0");
    expect(official?.metaTxRelayerUrl).toMatch(/^https:\/\//);
    expect(config.relayer).toEqual({
      url: official?.metaTxRelayerUrl,
      apiId: "test-api-id",
      ratePerSecond: 5,
      burst: 10,
      timeoutMs: 10_000,
    });
    expect(JSON.stringify(config.relayer)).not.toContain("not-a-real-key");
    expect(config.rpc.relayerApiKey).toBeDefined();
    expect(await secretValue(config.rpc.relayerApiKey as KitConfig["rpc"]["primaryUrl"])).toBe("not-a-real-key");
    expect(await pulumi.isSecret(config.rpc.relayerApiKey as KitConfig["rpc"]["primaryUrl"])).toBe(true);
  });

  it("with a relayer, accepts a free or an ERC-20 priced smoke offer and hands the token to the config", () => {
    for (const exchangeToken of ["free", erc20Address]) {
      const values = stagingValues();
      values["boson-kit:relayer"] = { apiId: "test-api-id" };
      smoke(values).exchangeToken = exchangeToken;
      const config = parseKitConfig({ ...stackSource("staging", values), mode: "offline" });
      expect(config.smoke).toMatchObject({ offerId: "101", exchangeToken });
    }
    // Without a relayer the native coin is fine: the commit carries the price as its value.
    expect(parseKitConfig(readStackFile("staging")).smoke?.exchangeToken).toBe("native");
  });

  it("accepts an unofficial relayer URL only when the stack says so", () => {
    const values = stagingValues();
    values["boson-kit:relayer"] = {
      url: "https://relayer.test.invalid",
      apiId: "test-api-id",
      allowUnofficialUrl: true,
    };
    smoke(values).exchangeToken = erc20Address;
    const config = parseKitConfig({ ...stackSource("staging", values), mode: "offline" });
    expect(config.relayer?.url).toBe("https://relayer.test.invalid");
    expect(config.placeholders.map((entry) => entry.key)).toContain("boson-kit:relayerApiKey");
  });

  it("uses the secrets as given under pulumi up, and keeps them secret", async () => {
    const values = productionValues();
    values["boson-kit:rpcPrimaryUrl"] = testRpcUrl;
    values["boson-kit:rpcFallbackUrl"] = "https://fallback.test.invalid/not-a-real-key";
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

describe("loopback http webhook endpoints", () => {
  const withEndpoint = (configId: string, endpoint: string) => {
    const values = {
      ...stagingValues(),
      "boson-kit:configId": configId,
      "boson-kit:webhooks": { endpoints: [endpoint] },
    };
    return () => parseKitConfig(stackSource("dev", values));
  };

  it("are accepted for a local-* configId (a receiver on the same machine)", () => {
    expect(withEndpoint("local-31337-0", "http://127.0.0.1:8787/hooks")().webhooks.endpoints).toEqual([
      "http://127.0.0.1:8787/hooks",
    ]);
  });

  it("are refused for any other configId, naming the key and the fix", () => {
    expect(withEndpoint("staging-80002-0", "http://127.0.0.1:8787/hooks")).toThrow(
      /webhooks\.endpoints\.0.*only a local-\* configId[\s\S]*fix: .*https:\/\//,
    );
  });

  it("stay refused for a non-loopback host, even locally", () => {
    expect(withEndpoint("local-31337-0", "http://fulfillment.example.com/hooks")).toThrow(
      /must be a fulfillment webhook endpoint: an https:\/\/ URL/,
    );
  });
});
