import * as pulumi from "@pulumi/pulumi";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zeroAddress } from "viem";
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
const smoke = (values: Record<string, unknown>) => values["boson-kit:smoke"] as Record<string, unknown>;
const firstToken = (values: Record<string, unknown>) =>
  (seller(values).tokens as Record<string, unknown>[])[0] as Record<string, unknown>;

// A checksummed address standing for the smoke offer's ERC-20.
const erc20Address = "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582";

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
  readonly value: RegExp;
  readonly problem: RegExp;
  readonly fix: RegExp;
}

const invalidConfigs: InvalidCase[] = [
  {
    name: "production configId on a staging stack",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:configId"] = "production-137-0"),
    key: "boson-kit:configId",
    problem: /accepts only configIds starting with staging-/,
    value: /"production-137-0"/,
    fix: /pulumi config set --path 'boson-kit:configId' staging-<chainId>-0 --stack staging/,
  },
  {
    name: "staging configId on a production stack",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:configId"] = "staging-80002-0"),
    key: "boson-kit:configId",
    problem: /accepts only configIds starting with production-/,
    value: /"staging-80002-0"/,
    fix: /--path 'boson-kit:configId' production-/,
  },
  {
    name: "production configId on a developer's own stack",
    stack: "alice",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:configId"] = "production-137-0"),
    key: "boson-kit:configId",
    problem: /local-, testing-, staging-/,
    value: /"production-137-0"/,
    fix: /--stack alice/,
  },
  {
    name: "configId that the official table does not know",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:configId"] = "staging-999-0"),
    key: "boson-kit:configId",
    problem: /not in the official Boson table; known configIds: .*staging-80002-0/,
    value: /"staging-999-0"/,
    fix: /<one of the known configIds>/,
  },
  {
    name: "malformed configId",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:configId"] = "stg-amoy"),
    key: "boson-kit:configId",
    problem: /<env>-<chainId>-<n>/,
    value: /"stg-amoy"/,
    fix: /--path 'boson-kit:configId' <value>/,
  },
  {
    name: "protocol diamond that differs from the official one",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:protocolDiamond"] = "0x1111111111111111111111111111111111111111"),
    key: "boson-kit:protocolDiamond",
    problem: /official protocol diamond 0x59A4C19b55193D5a2EAD0065c54af4d516E18Cb5 .*@bosonprotocol\/common@/,
    value: /0x1111111111111111111111111111111111111111/,
    fix: /pulumi config rm boson-kit:protocolDiamond/,
  },
  {
    name: "protocol diamond that is not an address",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:protocolDiamond"] = "0x1234"),
    key: "boson-kit:protocolDiamond",
    problem: /20-byte hex address/,
    value: /"0x1234"/,
    fix: /--path 'boson-kit:protocolDiamond'/,
  },
  {
    name: "confirmations below the chain's minimum",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:confirmations"] = 1),
    key: "boson-kit:confirmations",
    problem: /below Polygon PoS's minimum of 3/,
    value: /^1$/,
    fix: /--path 'boson-kit:confirmations' 3/,
  },
  {
    name: "confirmations that are not a number",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:confirmations"] = "many"),
    key: "boson-kit:confirmations",
    problem: /whole number/,
    value: /"many"/,
    fix: /--path 'boson-kit:confirmations'/,
  },
  {
    name: "seller admin that is not an address",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (seller(v).admin = "alice.eth"),
    key: "boson-kit:seller.admin",
    problem: /smart account/,
    value: /"alice.eth"/,
    fix: /--path 'boson-kit:seller.admin'/,
  },
  {
    name: "seller treasury with a broken EIP-55 checksum",
    stack: "production",
    base: productionValues,
    mutate: (v) => (seller(v).treasury = "0x7EA5ba7e000000000000000000000000000000A1"),
    key: "boson-kit:seller.treasury",
    problem: /EIP-55 checksum does not match/,
    value: /0x7EA5ba7e/,
    fix: /--path 'boson-kit:seller.treasury'/,
  },
  {
    name: "no token to withdraw",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (seller(v).tokens = []),
    key: "boson-kit:seller.tokens",
    problem: /at least one token/,
    value: /^\[\]$/,
    fix: /--path 'boson-kit:seller.tokens'/,
  },
  {
    name: "withdrawal threshold that is not whole wei",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (firstToken(v).withdrawThresholdWei = "1.5"),
    key: "boson-kit:seller.tokens[0].withdrawThresholdWei",
    problem: /positive whole number/,
    value: /"1.5"/,
    fix: /--path 'boson-kit:seller.tokens\[0\].withdrawThresholdWei'/,
  },
  {
    name: "gas alert ratios out of order",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => ((v["boson-kit:gas"] as Record<string, unknown>).alertRatios = [0.1, 0.2, 0.5]),
    key: "boson-kit:gas.alertRatios",
    problem: /falling order/,
    value: /\[0.1,0.2,0.5\]/,
    fix: /--path 'boson-kit:gas.alertRatios'/,
  },
  {
    name: "expected daily burn missing",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:gas"] = {}),
    key: "boson-kit:gas.expectedDailyBurnWei",
    problem: /in wei/,
    value: /\(unset\)/,
    fix: /--path 'boson-kit:gas.expectedDailyBurnWei'/,
  },
  {
    name: "subgraph lag of zero blocks",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:subgraph"] = { maxLagBlocks: 0 }),
    key: "boson-kit:subgraph.maxLagBlocks",
    problem: /at least 1/,
    value: /^0$/,
    fix: /--path 'boson-kit:subgraph.maxLagBlocks'/,
  },
  {
    name: "schedule that EventBridge Scheduler would reject",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => ((v["boson-kit:schedules"] as Record<string, unknown>).health = "every 5 minutes"),
    key: "boson-kit:schedules.health",
    problem: /rate\(5 minutes\)/,
    value: /"every 5 minutes"/,
    fix: /--path 'boson-kit:schedules.health'/,
  },
  {
    name: "nobody to page",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:alerts"] = { emails: [] }),
    key: "boson-kit:alerts",
    problem: /nobody is paged/,
    value: /"emails":\[\]/,
    fix: /--path 'boson-kit:alerts'/,
  },
  {
    name: "alert endpoint over plain http",
    stack: "production",
    base: productionValues,
    mutate: (v) =>
      ((v["boson-kit:alerts"] as Record<string, unknown>).httpsEndpoints = ["http://pager.example.com/hook"]),
    key: "boson-kit:alerts.httpsEndpoints[0]",
    problem: /https:\/\//,
    value: /http:\/\/pager.example.com/,
    fix: /--path 'boson-kit:alerts.httpsEndpoints\[0\]'/,
  },
  {
    name: "wildcard key administrator",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:kmsAdministrators"] = ["arn:aws:iam::123456789012:role/*"]),
    key: "boson-kit:kmsAdministrators[0]",
    problem: /no wildcards/,
    value: /role\/\*/,
    fix: /--path 'boson-kit:kmsAdministrators\[0\]'/,
  },
  {
    name: "log retention CloudWatch does not offer",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:logRetentionDays"] = 42),
    key: "boson-kit:logRetentionDays",
    problem: /one of 1, 3, 5/,
    value: /^42$/,
    fix: /--path 'boson-kit:logRetentionDays'/,
  },
  {
    name: "production in a single availability zone",
    stack: "production",
    base: productionValues,
    mutate: (v) => {
      v["boson-kit:availabilityZoneIds"] = ["euw1-az1"];
      delete v["boson-kit:availabilityZones"];
    },
    key: "boson-kit:availabilityZoneIds",
    problem: /at least 2 availability zones/,
    value: /\["euw1-az1"\]/,
    fix: /--path 'boson-kit:availabilityZoneIds\[1\]' euw1-az2/,
  },
  {
    name: "GCP project id that GCP would reject",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => ((v["boson-kit:gcp"] as Record<string, unknown>).project = "My Project"),
    key: "boson-kit:gcp.project",
    problem: /GCP project id/,
    value: /"My Project"/,
    fix: /--path 'boson-kit:gcp.project'/,
  },
  {
    name: "misspelt key",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:confirmation"] = 3),
    key: "boson-kit:confirmation",
    problem: /not a key the kit knows/,
    value: /^3$/,
    fix: /pulumi config rm --path 'boson-kit:confirmation'/,
  },
  {
    name: "RPC URL in plaintext",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:rpcPrimaryUrl"] = testRpcUrl),
    key: "boson-kit:rpcPrimaryUrl",
    problem: /plaintext.*must be a Pulumi secret/,
    value: /plaintext, hidden/,
    fix: /pulumi config rm boson-kit:rpcPrimaryUrl .* pulumi config set --secret/,
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
    value: /\(unset\)/,
    fix: /pulumi config set --secret boson-kit:rpcPrimaryUrl/,
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
    problem: /must be an https:\/\/ RPC URL/,
    value: /hidden/,
    fix: /pulumi config set --secret boson-kit:rpcPrimaryUrl/,
  },
  {
    name: "relayer URL other than the official meta-transaction relayer",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:relayer"] = { url: "https://relayer.test.invalid", apiId: "test-api-id" }),
    key: "boson-kit:relayer.url",
    problem: /is not the official meta-transaction relayer/,
    value: /relayer\.test\.invalid/,
    fix: /pulumi config rm --path 'boson-kit:relayer\.url' --stack staging .*allowUnofficialUrl/,
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
    value: /plaintext, hidden/,
    fix: /pulumi config rm boson-kit:relayerApiKey --stack staging && pulumi config set --secret/,
  },
  {
    name: "relayer without its api id",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:relayer"] = {}),
    key: "boson-kit:relayer.apiId",
    problem: /api id/,
    value: /^\(unset\)$/,
    fix: /pulumi config set --path/,
  },
  {
    name: "native-priced smoke offer with a relayer (a meta-transaction carries no value)",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => {
      v["boson-kit:relayer"] = { apiId: "test-api-id" };
      smoke(v).exchangeToken = "native";
    },
    key: "boson-kit:smoke.exchangeToken",
    problem: /meta-transaction carries no value, so the smoke offer must be free or priced in an ERC-20/,
    value: /^"native"$/,
    fix: /pulumi config set --path 'boson-kit:smoke\.exchangeToken' <free or the token's 0x address> --stack staging/,
  },
  {
    name: "smoke offer that does not say how it is paid",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => delete smoke(v).exchangeToken,
    key: "boson-kit:smoke.exchangeToken",
    problem: /must say how the smoke offer is paid: "free" \(price 0\), "native" .* or the ERC-20's address/,
    value: /^\(unset\)$/,
    fix: /pulumi config set --path 'boson-kit:smoke\.exchangeToken'/,
  },
  {
    name: "smoke offer token as the zero address",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (smoke(v).exchangeToken = zeroAddress),
    key: "boson-kit:smoke.exchangeToken",
    problem: /zero address, which the protocol reads as the native coin: write "native"/,
    value: /0x0000000000000000000000000000000000000000/,
    fix: /pulumi config set --path 'boson-kit:smoke\.exchangeToken'/,
  },
  {
    name: "AWS region missing",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => delete v["aws:region"],
    key: "aws:region",
    problem: /AWS region/,
    value: /\(unset\)/,
    fix: /pulumi config set aws:region eu-west-1/,
  },
  {
    name: "RPC URL over WebSocket, which no job can use",
    stack: "production",
    base: productionValues,
    mode: "deploy",
    mutate: (v) => {
      v["boson-kit:rpcPrimaryUrl"] = "wss://rpc.test.invalid/not-a-real-key";
      v["boson-kit:rpcFallbackUrl"] = testRpcUrl;
    },
    secretKeys: ["boson-kit:rpcPrimaryUrl", "boson-kit:rpcFallbackUrl"],
    key: "boson-kit:rpcPrimaryUrl",
    value: /hidden/,
    problem: /WebSocket \(wss:\/\/\) URL would fail at every cold start/,
    fix: /pulumi config set --secret boson-kit:rpcPrimaryUrl 'https:/,
  },
  {
    name: "no deployer named",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => delete v["boson-kit:deployers"],
    key: "boson-kit:deployers",
    value: /\(unset\)/,
    problem: /pulumi up/,
    fix: /--path 'boson-kit:deployers'/,
  },
  {
    name: "a previewer who is also a deployer",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:previewers"] = ["arn:aws:iam::123456789012:role/boson-kit-deployer"]),
    key: "boson-kit:previewers[0]",
    value: /boson-kit-deployer/,
    problem: /also a deployer/,
    fix: /pulumi config rm --path 'boson-kit:previewers\[0\]'/,
  },
  {
    name: "the same administrator twice",
    stack: "staging",
    base: stagingValues,
    mutate: (v) =>
      (v["boson-kit:kmsAdministrators"] = ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/a"]),
    key: "boson-kit:kmsAdministrators",
    value: /role\/a.*role\/a/,
    problem: /same ARN twice/,
    fix: /--path 'boson-kit:kmsAdministrators'/,
  },
  {
    name: "a deployer in an account the AWS provider will not deploy to",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:deployers"] = ["arn:aws:iam::210987654321:role/deployer"]),
    key: "boson-kit:deployers[0]",
    value: /210987654321/,
    problem: /aws:allowedAccountIds deploys only to 123456789012/,
    fix: /--path 'boson-kit:deployers\[0\]' arn:aws:iam::123456789012:role\/<name>/,
  },
  {
    name: "an allowed account id that is not 12 digits",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["aws:allowedAccountIds"] = ["1234"]),
    key: "aws:allowedAccountIds",
    value: /"1234"/,
    problem: /12-digit AWS account ids/,
    fix: /--path 'aws:allowedAccountIds\[0\]'/,
  },
  {
    name: "an availability zone name where an id belongs",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:availabilityZoneIds"] = ["eu-west-1a"]),
    key: "boson-kit:availabilityZoneIds[0]",
    value: /"eu-west-1a"/,
    problem: /availability zone id such as euw1-az1/,
    fix: /--path 'boson-kit:availabilityZoneIds\[0\]'/,
  },
  {
    name: "a zone id of another region",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:availabilityZoneIds"] = ["euw1-az1", "use1-az4"]),
    key: "boson-kit:availabilityZoneIds[1]",
    value: /"use1-az4"/,
    problem: /not a zone of eu-west-1, whose zone ids start with euw1-az/,
    fix: /--path 'boson-kit:availabilityZoneIds\[1\]' euw1-az2/,
  },
  {
    name: "the same zone twice",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:availabilityZoneIds"] = ["euw1-az1", "euw1-az1"]),
    key: "boson-kit:availabilityZoneIds",
    value: /euw1-az1.*euw1-az1/,
    problem: /same zone twice/,
    fix: /--path 'boson-kit:availabilityZoneIds'/,
  },
  {
    name: "a zone count that contradicts the zone ids",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:availabilityZones"] = 3),
    key: "boson-kit:availabilityZones",
    value: /^3$/,
    problem: /contradicts availabilityZoneIds, which lists 2/,
    fix: /pulumi config rm boson-kit:availabilityZones --stack production/,
  },
  {
    name: "the zero address as the seller's treasury",
    stack: "production",
    base: productionValues,
    mutate: (v) => (seller(v).treasury = zeroAddress),
    key: "boson-kit:seller.treasury",
    value: /0x0{40}/,
    problem: /zero address burns/,
    fix: /--path 'boson-kit:seller.treasury'/,
  },
  {
    name: "an unchecksummed (all-lowercase) seller admin",
    stack: "production",
    base: productionValues,
    mutate: (v) => (seller(v).admin = "0x5a11e7d7a7e5a11e7d7a7e5a11e7d7a7e5a11e70"),
    key: "boson-kit:seller.admin",
    value: /0x5a11e7d7a7e5a11e7d7a7e5a11e7d7a7e5a11e70/,
    problem: /EIP-55 checksum, 0x5A11E7d7a7E5a11E7D7A7e5a11E7d7A7E5a11e70/,
    fix: /--path 'boson-kit:seller.admin'/,
  },
  {
    name: "the same token listed twice",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (seller(v).tokens = [firstToken(v), { ...firstToken(v), symbol: "POL2" }]),
    key: "boson-kit:seller.tokens[1].address",
    value: /0x0{40}/,
    problem: /token already listed/,
    fix: /--path 'boson-kit:seller.tokens\[1\].address'/,
  },
  {
    name: "a wei amount written as a YAML number",
    stack: "production",
    base: productionValues,
    mutate: (v) => (firstToken(v).withdrawThresholdWei = 50000000000000000000),
    key: "boson-kit:seller.tokens[0].withdrawThresholdWei",
    value: /^50000000000000000000$/,
    problem: /loses precision above 2\^53/,
    fix: /pulumi config set --path --type string 'boson-kit:seller.tokens\[0\].withdrawThresholdWei'/,
  },
  {
    name: "a production stack reading a staging subgraph",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:subgraphUrl"] = officialDeployment("staging-80002-0")?.subgraphUrl),
    key: "boson-kit:subgraphUrl",
    value: /https:/,
    problem: /staging or test subgraph, on a production stack/,
    fix: /pulumi config rm boson-kit:subgraphUrl --stack production/,
  },
  {
    name: "credentials inside a webhook URL",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["boson-kit:webhooks"] = { endpoints: ["https://bot:hunter2@fulfillment.example.com/hook"] }),
    key: "boson-kit:webhooks.endpoints[0]",
    value: /fulfillment\.example\.com/,
    problem: /without credentials in it/,
    fix: /--path 'boson-kit:webhooks.endpoints\[0\]'/,
  },
  {
    name: "a mistyped config namespace that Pulumi would ignore",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => (v["bosonkit:confirmations"] = 5),
    key: "bosonkit:confirmations",
    value: /^5$/,
    problem: /namespace "bosonkit", which nothing reads/,
    fix: /pulumi config rm 'bosonkit:confirmations' --stack staging, then set it as boson-kit:confirmations/,
  },
  {
    name: "a cron minute out of range",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => ((v["boson-kit:schedules"] as Record<string, unknown>).withdraw = "cron(75 * * * ? *)"),
    key: "boson-kit:schedules.withdraw",
    value: /cron\(75/,
    problem: /the minutes field "75" must use values 0-59/,
    fix: /--path 'boson-kit:schedules.withdraw'/,
  },
  {
    name: "a cron with both day fields set",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => ((v["boson-kit:schedules"] as Record<string, unknown>).withdraw = "cron(0 12 * * MON *)"),
    key: "boson-kit:schedules.withdraw",
    value: /MON/,
    problem: /exactly one of day-of-month and day-of-week must be \?/,
    fix: /--path 'boson-kit:schedules.withdraw'/,
  },
  {
    name: "a cron with five fields (Unix cron)",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => ((v["boson-kit:schedules"] as Record<string, unknown>).watcher = "cron(*/5 * * * *)"),
    key: "boson-kit:schedules.watcher",
    value: /cron/,
    problem: /six cron fields .* not 5/,
    fix: /--path 'boson-kit:schedules.watcher'/,
  },
  {
    name: "a retention Cloud Logging cannot keep",
    stack: "production",
    base: productionValues,
    mutate: (v) => (v["boson-kit:logRetentionDays"] = 3653),
    key: "boson-kit:logRetentionDays",
    value: /^3653$/,
    problem: /more than Cloud Logging keeps a log bucket \(3650 days\)/,
    fix: /--path 'boson-kit:logRetentionDays' 3288/,
  },
  {
    name: "a BigQuery key in another location than the dataset",
    stack: "production",
    base: productionValues,
    mutate: (v) =>
      ((v["boson-kit:gcp"] as Record<string, unknown>).bigQueryKmsKeyName =
        "projects/p/locations/us/keyRings/r/cryptoKeys/k"),
    key: "boson-kit:gcp.bigQueryKmsKeyName",
    value: /locations\/us\//,
    problem: /key in us, but BigQuery only encrypts a dataset in europe-west1/,
    fix: /--path 'boson-kit:gcp.bigQueryKmsKeyName' projects\/<p>\/locations\/europe-west1/,
  },
  {
    name: "a GCP log generation of zero",
    stack: "staging",
    base: stagingValues,
    mutate: (v) => ((v["boson-kit:gcp"] as Record<string, unknown>).generation = 0),
    key: "boson-kit:gcp.generation",
    value: /^0$/,
    problem: /generation of the GCP log resources' ids: at least 1/,
    fix: /--path 'boson-kit:gcp.generation'/,
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
  it("has at least 30 distinct invalid configs, each on its own key or rule", () => {
    expect(invalidConfigs.length).toBeGreaterThanOrEqual(30);
    expect(new Set(invalidConfigs.map((c) => c.name)).size).toBe(invalidConfigs.length);
  });

  describe.each(invalidConfigs)("refuses $name", (testCase) => {
    it("with one message naming the key, the bad value and the fix", () => {
      const error = configErrorFor(testCase);
      const issue = error.issues.find((candidate) => candidate.key === testCase.key);
      expect(issue, `issues were: ${error.message}`).toBeDefined();
      expect(issue?.problem).toMatch(testCase.problem);
      expect(issue?.value).toMatch(testCase.value);
      expect(issue?.fix).toMatch(testCase.fix);
      expect(issue?.fix).toMatch(/pulumi config|infra\/chains\.ts/);
      expect(error.message).toContain(testCase.key);
      expect(error.message).toContain(issue?.fix);
      // Secret values never appear in an error, even when they are the problem.
      expect(error.message).not.toContain("not-a-real-key");
    });
  });
});

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
