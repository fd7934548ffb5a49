import type { z } from "zod";
import { finalityFor, type ChainFinality } from "./chains";
import { availabilityZoneIdPattern, isLoopbackHttpUrl, type RawKitConfig } from "./config-schema";
import { configNamespace, stackEnvironment, type ConfigIssue, type StackEnvironment } from "./config-types";
import { officialConfigIds, officialDeployment } from "./official-table";

/**
 * The config problems the schema alone cannot see: keys in namespaces nothing
 * reads, and rules that span fields (environment vs configId, the official
 * table, chain minimums, zones, principals, GCP limits). Each issue names the
 * key, the bad value and the command that fixes it.
 */

export const setCommand = (stack: string, key: string, value: string, secret = false) =>
  `pulumi config set${secret ? " --secret" : ""} --path '${key}' ${value} --stack ${stack}`;

/** Shows a config value in an error: short, and never a secret's content. */
export function show(value: unknown, secret = false): string {
  if (value === undefined) return "(unset)";
  if (secret) return "(a value, hidden)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** A config path in Pulumi's documented `--path` syntax: `boson-kit:seller.tokens[0].address`. */
export function configPath(path: readonly PropertyKey[]): string {
  const tail = path
    .map((segment, index) =>
      typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`,
    )
    .join("");
  return tail === "" ? configNamespace : `${configNamespace}:${tail}`;
}

/** Fixes that differ from `pulumi config set <key> <value>`, chosen by a schema issue's `params.fix`. */
const specialFixes: Readonly<Record<string, (stack: string, key: string) => string>> = {
  // `--path` stores an unquoted integer as a number; `--type string` keeps every digit.
  "wei-string": (stack, key) =>
    `pulumi config set --path --type string '${key}' <amount in wei> --stack ${stack} (or quote it in Pulumi.${stack}.yaml)`,
};

export function schemaIssues(stack: string, raw: Record<string, unknown>, error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    const base = configPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((unknownKey) => {
        const key = configPath([...issue.path, unknownKey]);
        return {
          key,
          value: show(valueAt(raw, [...issue.path, unknownKey])),
          problem: "is not a key the kit knows (a typo?)",
          fix: `remove it: pulumi config rm --path '${key}' --stack ${stack}`,
        };
      });
    }
    const value = valueAt(raw, issue.path);
    const special =
      issue.code === "custom" ? specialFixes[String((issue.params as { fix?: unknown } | undefined)?.fix)] : undefined;
    return [
      {
        key: base,
        value: show(value),
        problem: issue.message,
        fix: special ? special(stack, base) : `${setCommand(stack, base, "<value>")} (or edit Pulumi.${stack}.yaml)`,
      },
    ];
  });
}

/** Config namespaces something reads: the kit's own and its providers'. Pulumi ignores any other without a word. */
const readNamespaces = new Set([configNamespace, "aws", "gcp", "random", "pulumi"]);

export function namespaceIssues(stack: string, values: Readonly<Record<string, unknown>>): ConfigIssue[] {
  return Object.keys(values).flatMap((fullKey): ConfigIssue[] => {
    const namespace = fullKey.includes(":") ? fullKey.slice(0, fullKey.indexOf(":")) : "";
    if (readNamespaces.has(namespace)) return [];
    const name = fullKey.slice(fullKey.indexOf(":") + 1);
    return [
      {
        key: fullKey,
        value: show(values[fullKey]),
        problem: `is in namespace "${namespace}", which nothing reads: Pulumi would ignore it silently (a typo of ${configNamespace}:?)`,
        fix: `pulumi config rm '${fullKey}' --stack ${stack}, then set it as ${configNamespace}:${name} (or rename the key in Pulumi.${stack}.yaml)`,
      },
    ];
  });
}

/** The AWS provider's `aws:allowedAccountIds`, as the stack file (a list) or the CLI (a JSON string) gives it. */
export function allowedAccountIds(values: Readonly<Record<string, unknown>>): unknown {
  const value = values["aws:allowedAccountIds"];
  if (typeof value === "string" && value.trim().startsWith("[")) return JSON.parse(value) as unknown;
  return value;
}

const directionCodes: Readonly<Record<string, string>> = {
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
  gov: "g",
};

/** The prefix AWS gives the zone ids of a region: eu-west-1 -> euw1, ap-southeast-2 -> apse2; undefined when unsure. */
export function zoneIdPrefix(region: string): string | undefined {
  const parts = region.split("-");
  const [country, ...rest] = parts;
  const number = rest.pop();
  const words = rest.map((word) => directionCodes[word]);
  if (!country || !number || words.some((code) => code === undefined)) return undefined;
  return `${country}${words.join("")}${number}`;
}

/** Rules that span fields: environment vs configId, the official table, chain minimums, zones, principals. */
export function crossFieldIssues(
  stack: string,
  config: RawKitConfig,
  values: Readonly<Record<string, unknown>>,
): ConfigIssue[] {
  const region = values["aws:region"];
  const issues: ConfigIssue[] = [];
  const key = (name: string) => `${configNamespace}:${name}`;
  const { environment, acceptedPrefixes } = stackEnvironment(stack);

  if (!acceptedPrefixes.some((prefix) => config.configId.startsWith(prefix))) {
    issues.push({
      key: key("configId"),
      value: show(config.configId),
      problem: `stack "${stack}" is a ${environment} stack and accepts only configIds starting with ${acceptedPrefixes.join(", ")} (checklist S4)`,
      fix: `${setCommand(stack, key("configId"), `${acceptedPrefixes[0]}<chainId>-0`)}, or deploy this configId from a stack named after its environment`,
    });
  }

  config.webhooks.endpoints.forEach((endpoint, index) => {
    if (isLoopbackHttpUrl(endpoint) && !config.configId.startsWith("local-")) {
      issues.push({
        key: key(`webhooks.endpoints.${index}`),
        value: show(endpoint),
        problem:
          "is plain http: only a local-* configId (a chain on this machine) may deliver to a loopback http receiver",
        fix: `${setCommand(stack, key(`webhooks.endpoints.${index}`), "https://<your-endpoint>")}`,
      });
    }
  });

  const official = officialDeployment(config.configId);
  if (!official) {
    issues.push({
      key: key("configId"),
      value: show(config.configId),
      problem: `is not in the official Boson table; known configIds: ${officialConfigIds.join(", ")}`,
      fix: setCommand(stack, key("configId"), "<one of the known configIds>"),
    });
    return issues;
  }

  if (config.protocolDiamond && config.protocolDiamond.toLowerCase() !== official.protocolDiamond.toLowerCase()) {
    issues.push({
      key: key("protocolDiamond"),
      value: show(config.protocolDiamond),
      problem: `does not match the official protocol diamond ${official.protocolDiamond} for ${config.configId}, from ${official.source} (checklist H1)`,
      fix: `pulumi config rm ${key("protocolDiamond")} --stack ${stack} (the official address is used by default)`,
    });
  }

  let finality: ChainFinality | undefined;
  try {
    finality = finalityFor(official.chainId);
  } catch (error) {
    issues.push({
      key: key("configId"),
      value: show(config.configId),
      problem: (error as Error).message,
      fix: "add the chain's finality rule to infra/chains.ts",
    });
  }
  if (finality && config.confirmations !== undefined && config.confirmations < finality.minimum) {
    issues.push({
      key: key("confirmations"),
      value: show(config.confirmations),
      problem: `is below ${finality.name}'s minimum of ${finality.minimum} confirmations (checklist O3)`,
      fix: setCommand(stack, key("confirmations"), String(finality.default)),
    });
  }

  issues.push(
    ...zoneIssues(stack, config, environment, region),
    ...principalIssues(stack, config, values),
    ...gcpIssues(stack, config),
  );

  if (environment === "production" && config.subgraphUrl !== undefined && isNonProductionSubgraph(config.subgraphUrl)) {
    issues.push({
      key: key("subgraphUrl"),
      value: show(config.subgraphUrl),
      problem:
        "is a staging or test subgraph, on a production stack: the jobs would act on another deployment's events",
      fix: `pulumi config rm ${key("subgraphUrl")} --stack ${stack} (the official production subgraph is used by default)`,
    });
  }

  if (typeof region !== "string" || !/^[a-z]{2}(-[a-z]+)+-[0-9]$/.test(region)) {
    issues.push({
      key: "aws:region",
      value: show(region),
      problem: "must be an AWS region such as eu-west-1",
      fix: `pulumi config set aws:region eu-west-1 --stack ${stack}`,
    });
  }
  return issues;
}

function zoneIssues(
  stack: string,
  config: RawKitConfig,
  environment: StackEnvironment,
  region: unknown,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ids = config.availabilityZoneIds;
  if (ids && config.availabilityZones !== undefined && config.availabilityZones !== ids.length) {
    issues.push({
      key: `${configNamespace}:availabilityZones`,
      value: show(config.availabilityZones),
      problem: `contradicts availabilityZoneIds, which lists ${ids.length} zone(s): the ids decide the zones, the count is only used without them`,
      fix: `pulumi config rm ${configNamespace}:availabilityZones --stack ${stack}`,
    });
  }
  const prefix = typeof region === "string" ? zoneIdPrefix(region) : undefined;
  ids?.forEach((id, index) => {
    if (prefix && availabilityZoneIdPattern.exec(id)?.[1] !== prefix) {
      issues.push({
        key: configPath(["availabilityZoneIds", index]),
        value: show(id),
        problem: `is not a zone of ${String(region)}, whose zone ids start with ${prefix}-az`,
        fix: setCommand(stack, configPath(["availabilityZoneIds", index]), `${prefix}-az${index + 1}`),
      });
    }
  });
  const count = ids?.length ?? config.availabilityZones;
  if (environment === "production" && count !== undefined && count < 2) {
    const countKey = ids ? configPath(["availabilityZoneIds"]) : `${configNamespace}:availabilityZones`;
    issues.push({
      key: countKey,
      value: show(ids ?? config.availabilityZones),
      problem:
        "a production stack needs NAT gateways in at least 2 availability zones, or one zone's outage stops withdrawals",
      fix: ids
        ? setCommand(stack, configPath(["availabilityZoneIds", 1]), `${prefix ?? "<region>"}-az2`)
        : setCommand(stack, countKey, "2"),
    });
  }
  return issues;
}

function principalIssues(
  stack: string,
  config: RawKitConfig,
  values: Readonly<Record<string, unknown>>,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.previewers.forEach((arn, index) => {
    if (config.deployers.includes(arn)) {
      issues.push({
        key: configPath(["previewers", index]),
        value: show(arn),
        problem: "is also a deployer: previewers may only preview, so one principal cannot be both",
        fix: `pulumi config rm --path '${configPath(["previewers", index])}' --stack ${stack}, or remove it from ${configNamespace}:deployers`,
      });
    }
  });
  const accounts = allowedAccountIds(values);
  if (accounts === undefined) return issues;
  if (
    !Array.isArray(accounts) ||
    accounts.length === 0 ||
    !accounts.every((account) => /^[0-9]{12}$/.test(String(account)))
  ) {
    issues.push({
      key: "aws:allowedAccountIds",
      value: show(accounts),
      problem: "must be a list of 12-digit AWS account ids",
      fix: `pulumi config set --path 'aws:allowedAccountIds[0]' '"<12-digit account id>"' --stack ${stack}`,
    });
    return issues;
  }
  const allowed = accounts.map(String);
  for (const list of ["kmsAdministrators", "deployers", "previewers"] as const) {
    config[list].forEach((arn, index) => {
      const account = arn.split(":")[4] ?? "";
      if (!allowed.includes(account)) {
        issues.push({
          key: configPath([list, index]),
          value: show(arn),
          problem: `is in account ${account}, but aws:allowedAccountIds deploys only to ${allowed.join(", ")}`,
          fix: setCommand(stack, configPath([list, index]), `arn:aws:iam::${allowed[0]}:role/<name>`),
        });
      }
    });
  }
  return issues;
}

/** Cloud Logging keeps a bucket's logs for 1 to 3650 days; CloudWatch also offers 3653. */
const maxCloudLoggingRetentionDays = 3650;

function gcpIssues(stack: string, config: RawKitConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.logRetentionDays !== undefined && config.logRetentionDays > maxCloudLoggingRetentionDays) {
    issues.push({
      key: `${configNamespace}:logRetentionDays`,
      value: show(config.logRetentionDays),
      problem: `is more than Cloud Logging keeps a log bucket (${maxCloudLoggingRetentionDays} days), and the GCP bucket uses the same retention`,
      fix: setCommand(stack, `${configNamespace}:logRetentionDays`, "3288"),
    });
  }
  const keyLocation = config.gcp.bigQueryKmsKeyName?.split("/")[3];
  if (keyLocation !== undefined && keyLocation !== config.gcp.region) {
    issues.push({
      key: configPath(["gcp", "bigQueryKmsKeyName"]),
      value: show(config.gcp.bigQueryKmsKeyName),
      problem: `is a key in ${keyLocation}, but BigQuery only encrypts a dataset in ${config.gcp.region} with a key in the same location`,
      fix: setCommand(
        stack,
        configPath(["gcp", "bigQueryKmsKeyName"]),
        `projects/<p>/locations/${config.gcp.region}/keyRings/<r>/cryptoKeys/<k>`,
      ),
    });
  }
  return issues;
}

/** A subgraph of a non-production deployment in the official table, or one whose URL says so. */
function isNonProductionSubgraph(url: string): boolean {
  const nonProduction = officialConfigIds
    .map((configId) => officialDeployment(configId))
    .filter((deployment) => deployment !== undefined && deployment.envName !== "production")
    .map((deployment) => deployment?.subgraphUrl.toLowerCase());
  return nonProduction.includes(url.toLowerCase()) || /staging|testing|amoy|sepolia|localhost|127\.0\.0\.1/i.test(url);
}
