/**
 * Which differences between two stacks of the same program are expected for
 * a promotion, and which are suspicious. Expected: what is meant to differ
 * per environment (configId and chain, thresholds, availability zones,
 * retention, the environment's own endpoints). Suspicious: everything else,
 * and any production endpoint that still looks like a staging one.
 */

export type Category = "configId" | "chain" | "thresholds" | "availability zones" | "retention" | "environment endpoints" | "derived from config";

export interface Classification {
  readonly expected: boolean;
  /** The expected category, or why it is suspicious. */
  readonly why: string;
}

const expected = (category: Category, detail?: string): Classification => ({ expected: true, why: detail ? `${category}: ${detail}` : category });
const suspicious = (why: string): Classification => ({ expected: false, why });

/** A production value that points at a non-production environment. */
const nonProductionMarker = /\b(staging|stage|stg|test|testing|dev|sandbox|amoy|sepolia)\b/i;

export function endpointClassification(toValue: string | undefined, toEnvironment: string): Classification {
  if (toEnvironment === "production" && toValue !== undefined && nonProductionMarker.test(toValue)) {
    return suspicious(`the ${toEnvironment} value ${toValue} looks like a non-production endpoint`);
  }
  return expected("environment endpoints");
}

/** Config keys (without the namespace), by dotted path. */
export function classifyConfigKey(key: string, toValue: string | undefined, toEnvironment: string): Classification {
  const path = key.replace(/^boson-kit:/, "");
  if (path === "configId") return expected("configId");
  if (path === "confirmations") return expected("chain", "finality differs per chain");
  if (path === "protocolDiamond" || path === "subgraphUrl") return suspicious("overrides the official table (H1): the default follows the configId");
  if (/^gas\./.test(path) || /^subgraph\.maxLagBlocks$/.test(path) || /^seller\.tokens\.\d+\.withdrawThresholdWei$/.test(path)) return expected("thresholds");
  if (path === "availabilityZones" || /^availabilityZoneIds(\.\d+)?$/.test(path)) return expected("availability zones");
  if (path === "logRetentionDays") return expected("retention");
  if (/^(alerts\.|webhooks\.endpoints|gcp\.project)/.test(path)) return endpointClassification(toValue, toEnvironment);
  if (/^rpc(Primary|Fallback)Url$/.test(path)) return expected("environment endpoints", "RPC URLs are per chain (secrets, not compared)");
  if (/^seller\./.test(path)) return suspicious("the seller (id, admin, treasury, tokens) is the same in every environment unless you mean to change it");
  if (path === "kmsAdministrators" || /^kmsAdministrators\./.test(path)) return suspicious("changes who can administer the signing key (M3)");
  if (/^(deployers|previewers)(\.\d+)?$/.test(path)) return suspicious("changes who can deploy or preview the stack (deployers hold kms:PutKeyPolicy)");
  if (key === "aws:region") return suspicious("moves the stack to another region");
  return suspicious("not a setting that differs between environments");
}

/** Input paths of a resource whose difference follows from an expected config difference. */
export function classifySetting(type: string, path: string, toValue: string | undefined, toEnvironment: string): Classification {
  if (type === "aws:cloudwatch/logGroup:LogGroup" && path === "retentionInDays") return expected("retention");
  if (type === "aws:cloudwatch/metricAlarm:MetricAlarm" && path === "threshold") return expected("thresholds");
  if (type === "aws:cloudwatch/dashboard:Dashboard" && path === "dashboardBody") return expected("thresholds", "the dashboard plots the configured thresholds");
  if (type === "aws:ec2/subnet:Subnet" && path === "availabilityZone") return expected("availability zones");
  if (type === "aws:lambda/function:Function" && /^vpcConfig\.subnetIds\.\d+$/.test(path)) return expected("availability zones", "one private subnet per zone");
  if (type === "gcp:logging/projectBucketConfig:ProjectBucketConfig" && path === "retentionDays") return expected("retention");
  if (type === "gcp:bigquery/dataset:Dataset" && /^default(Partition|Table)ExpirationMs$/.test(path)) return expected("retention");
  if (type === "aws:sns/topicSubscription:TopicSubscription" && path === "endpoint") return endpointClassification(toValue, toEnvironment);
  if (type === "aws:scheduler/schedule:Schedule" && path === "scheduleExpression") return suspicious("the job runs on another schedule");
  if (type === "aws:lambda/function:Function") {
    const variable = /^environment\.variables\.([A-Z_]+)/.exec(path)?.[1];
    if (variable && ["KIT_STACK", "CONFIG_ID"].includes(variable)) return expected("configId");
    if (variable && ["CHAIN_ID", "PROTOCOL_DIAMOND", "SUBGRAPH_URL", "CONFIRMATIONS"].includes(variable)) return expected("chain");
    if (variable && ["EXPECTED_DAILY_BURN_WEI", "SUBGRAPH_MAX_LAG_BLOCKS", "SELLER_TOKENS"].includes(variable)) return expected("thresholds");
    if (variable === "WEBHOOK_ENDPOINTS") return endpointClassification(toValue, toEnvironment);
  }
  if (type.startsWith("gcp:") && /(^|\.)project$/.test(path)) return endpointClassification(toValue, toEnvironment);
  return suspicious("the same program should declare this the same way in both stacks");
}

/** Resources that exist once per availability zone. */
export const perZoneTypes = new Set([
  "aws:ec2/subnet:Subnet",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
]);
