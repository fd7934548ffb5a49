import { parsePolicyDocument } from "../../infra/policy/iam-document";

/**
 * How a difference between two stacks of the same program is read in a
 * promotion. Three levels:
 * - expected: what is meant to differ between environments (they run on
 *   different chains, with their own seller registration, tokens, test offer,
 *   endpoints, sizes and thresholds), each with its reason;
 * - noted: differs, is not security-relevant, and is shown for the record;
 * - suspicious: security-relevant, must be acknowledged (`--ack <id>`): who
 *   the principals are, key and secret policies, encryption, network
 *   exposure, alarms or their actions removed, retention lowered, schedules
 *   disabled, and production endpoints that still look like staging ones.
 */

export type Level = "expected" | "noted" | "suspicious";

export interface Classification {
  readonly level: Level;
  /** True unless suspicious: the gate lets it through without an acknowledgement. */
  readonly expected: boolean;
  /** The reason it is expected, or why it is noted or suspicious. */
  readonly why: string;
}

export const expected = (why: string): Classification => ({ level: "expected", expected: true, why });
export const noted = (why: string): Classification => ({ level: "noted", expected: true, why });
export const suspicious = (why: string): Classification => ({ level: "suspicious", expected: false, why });

const perChain = "staging and production run on different chains";

/** A production value that points at a non-production environment. */
const nonProductionMarker = /\b(staging|stage|stg|test|testing|dev|sandbox|amoy|sepolia)\b/i;

export function endpointClassification(toValue: string | undefined, toEnvironment: string): Classification {
  if (toEnvironment === "production" && toValue !== undefined && nonProductionMarker.test(toValue)) {
    return suspicious(
      `the ${toEnvironment} value ${toValue} looks like a non-production endpoint: alerts or webhooks would go to the wrong people`,
    );
  }
  return expected("each environment has its own recipients and endpoints");
}

const asNumber = (value: string | undefined) => (value === undefined || value === "" ? undefined : Number(value));

/** Retention may grow freely; lowering it loses evidence. */
function retention(fromValue: string | undefined, toValue: string | undefined): Classification {
  const [before, after] = [asNumber(fromValue), asNumber(toValue)];
  if (before !== undefined && after !== undefined && after < before)
    return suspicious(`retention lowered from ${before} to ${after}`);
  return expected("retention is set per environment (longer in production)");
}

/**
 * Effective config paths (defaults applied, so a default is never a
 * difference), as `parseKitConfig` returns them.
 */
export function classifyConfigPath(
  path: string,
  fromValue: string | undefined,
  toValue: string | undefined,
  toEnvironment: string,
): Classification {
  if (path === "configId") return expected("each environment has its own Boson deployment (configId)");
  if (path === "signer.replicaRegion") return expected("production keeps a multi-Region replica of the signer key");
  if (path.startsWith("chain.")) return expected(`follows the configId: ${perChain}`);
  if (path === "confirmations") return expected("finality differs per chain");
  if (path === "protocol.diamond") return expected("the official table's diamond for the configId (H1)");
  if (path === "protocol.subgraphUrl") return expected("the subgraph of the configId's deployment");
  if (path === "protocol.source") return expected("the official table's entry for the configId");
  if (path === "seller.id") return expected(`the seller is registered separately on each chain (${perChain})`);
  if (/^seller\.tokens\.\d+\.(address|symbol)$/.test(path))
    return expected(`token addresses differ per chain (${perChain})`);
  if (
    /^seller\.tokens\.\d+\.withdrawThresholdWei$/.test(path) ||
    path.startsWith("gas.") ||
    path === "subgraph.maxLagBlocks"
  )
    return expected("thresholds are sized per environment");
  if (path.startsWith("smoke.")) return expected(`the known test offer exists separately on each chain (${perChain})`);
  if (path.startsWith("priceFeed.")) return expected(`price feeds are per chain (${perChain})`);
  if (path === "aws.availabilityZones" || /^aws\.availabilityZoneIds(\.|$)/.test(path))
    return expected("availability zones: production runs in two or more");
  if (path === "logRetentionDays") return retention(fromValue, toValue);
  if (/^(alerts\.|webhooks\.endpoints)/.test(path) || path === "gcp.project")
    return endpointClassification(toValue, toEnvironment);
  if (path === "seller.admin") return suspicious("changes who administers the seller on chain (a principal)");
  if (path === "seller.treasury") return suspicious("changes where the seller's funds are withdrawn to");
  if (/^aws\.kmsAdministrators(\.|$)/.test(path))
    return suspicious("changes who can administer the keys (a principal, M3)");
  if (/^aws\.(deployers|previewers)(\.|$)/.test(path))
    return suspicious("changes who can deploy or preview the stack (deployers hold kms:PutKeyPolicy)");
  if (/^(deployers|previewers)(\.|$)/.test(path))
    return suspicious("changes who can deploy or preview the stack (a principal)");
  if (path === "gcp.bigQueryKmsKeyName") return suspicious("changes the key that encrypts the BigQuery logs");
  return noted("not security-relevant");
}

const policyTypes =
  /^aws:(iam\/|kms\/(key|grant|alias|keyPolicy)|secretsmanager\/secretPolicy|lambda\/permission|sns\/topicPolicy|sqs\/queuePolicy)/;
const networkTypes =
  /^aws:(ec2\/(securityGroup|vpcSecurityGroup|route|routeTable|networkAcl|internetGateway|vpcEndpoint)|lambda\/functionUrl)/;
const encryptionPath =
  /(^|\.)(kmsKeyId|kmsKeyArn|kmsMasterKeyId|kmsKeyName|defaultEncryptionConfiguration|encryptionConfiguration|serverSideEncryption|sseSpecification|customerMasterKeySpec|keySpec|keyUsage|enableKeyRotation|deletionWindowInDays)(\.|$)/;

/** A resource declared in only one of the two stacks. */
export function classifyPresence(type: string, inTarget: boolean, perZone: boolean): Classification {
  if (perZone) return expected("availability zones: one per zone");
  if (inTarget && (type === "aws:kms/replicaKey:ReplicaKey" || type === "aws:kms/alias:Alias"))
    return expected("the signer key's replica (signer.replicaRegion) and its alias");
  if (type === "aws:sns/topicSubscription:TopicSubscription")
    return inTarget ? expected("each environment has its own recipients") : suspicious("an alert recipient is removed");
  if (type === "aws:cloudwatch/metricAlarm:MetricAlarm")
    return inTarget ? noted("an alarm only in the target") : suspicious("an alarm is removed");
  if (policyTypes.test(type) || networkTypes.test(type))
    return suspicious(
      `a ${inTarget ? "new" : "removed"} policy or network resource: who can do what, or what is reachable, changes`,
    );
  if (type === "aws:kms/key:Key" || type === "aws:secretsmanager/secret:Secret")
    return suspicious(`a key or secret ${inTarget ? "only in the target" : "removed"}`);
  return noted(`declared only in the ${inTarget ? "target" : "source"} stack`);
}

/**
 * True when the target's policy document is the source's plus `added`
 * resources and nothing else: the signing roles' policies name the signer's
 * replica in a stack that has one, and that alone is no new power (the
 * replica holds the same key, under the same key policy).
 */
export function policyOnlyAddsResources(
  fromJson: string | undefined,
  toJson: string | undefined,
  added: ReadonlySet<string>,
): boolean {
  if (fromJson === undefined || toJson === undefined || added.size === 0) return false;
  const statements = (json: string, drop: ReadonlySet<string>) => {
    const document = parsePolicyDocument(json);
    if (!document.ok) return undefined;
    // A statement about the added resources alone (the replica's own Sign statement) goes with them.
    return document.statements.flatMap((statement) => {
      const kept = statement.resources.filter((resource) => !drop.has(resource));
      return kept.length === 0 && statement.resources.length > 0 ? [] : [{ ...statement, resources: kept }];
    });
  };
  const before = statements(fromJson, new Set());
  const after = statements(toJson, added);
  return before !== undefined && after !== undefined && JSON.stringify(before) === JSON.stringify(after);
}

/** One input path of a resource both stacks declare. */
export function classifySetting(
  type: string,
  path: string,
  fromValue: string | undefined,
  toValue: string | undefined,
  toEnvironment: string,
): Classification {
  if (policyTypes.test(type)) return suspicious("a policy or principal differs: who can do what changes");
  // The endpoints sit in (or route) every private subnet: one more zone, one more entry.
  if (
    type === "aws:ec2/vpcEndpoint:VpcEndpoint" &&
    /^(subnetIds|routeTableIds)\.\d+$/.test(path) &&
    fromValue === undefined
  )
    return expected("availability zones: the endpoints serve every private subnet");
  if (networkTypes.test(type)) return suspicious("network exposure differs");
  if (/(^|\.)policy$/.test(path) || /^(role|executionRoleArn|roleArn)$/.test(path))
    return suspicious("a policy or the role a resource runs as differs");
  if (encryptionPath.test(path)) return suspicious("encryption differs");
  if (type === "aws:cloudwatch/logGroup:LogGroup" && path === "retentionInDays") return retention(fromValue, toValue);
  if (type === "gcp:logging/projectBucketConfig:ProjectBucketConfig" && path === "retentionDays")
    return retention(fromValue, toValue);
  if (type === "gcp:bigquery/dataset:Dataset" && /^default(Partition|Table)ExpirationMs$/.test(path))
    return retention(fromValue, toValue);
  if (type === "aws:cloudwatch/metricAlarm:MetricAlarm") {
    if (path === "threshold") return expected("thresholds are sized per environment");
    if (/^(alarmActions|okActions|insufficientDataActions)(\.|$)/.test(path))
      return toValue === undefined ? suspicious("an alarm action is removed") : noted("alarm actions differ");
    if (path === "actionsEnabled")
      return toValue === "false" ? suspicious("the alarm's actions are disabled") : noted("alarm actions enabled");
  }
  if (type === "aws:scheduler/schedule:Schedule" && path === "state")
    return toValue === "DISABLED" ? suspicious("the schedule is disabled") : noted("schedule state");
  if (type === "aws:cloudwatch/dashboard:Dashboard" && path === "dashboardBody")
    return expected("the dashboard plots the environment's thresholds");
  if (type === "aws:ec2/subnet:Subnet" && path === "availabilityZone") return expected("availability zones");
  if (type === "aws:ec2/subnet:Subnet" && path === "mapPublicIpOnLaunch") return suspicious("network exposure differs");
  if (type === "aws:lambda/function:Function" && /^vpcConfig\.subnetIds\.\d+$/.test(path))
    return expected("availability zones: one private subnet per zone");
  if (type === "aws:lambda/function:Function" && /^vpcConfig\./.test(path))
    return suspicious("network exposure differs");
  if (type === "aws:sns/topicSubscription:TopicSubscription" && path === "endpoint")
    return endpointClassification(toValue, toEnvironment);
  if (type === "aws:lambda/function:Function") {
    const variable = /^environment\.variables\.([A-Z_]+)/.exec(path)?.[1];
    if (variable && ["KIT_STACK", "CONFIG_ID"].includes(variable))
      return expected("each environment has its own Boson deployment (configId)");
    if (variable && ["CHAIN_ID", "PROTOCOL_DIAMOND", "SUBGRAPH_URL", "CONFIRMATIONS", "PRICE_FEED"].includes(variable))
      return expected(`follows the configId: ${perChain}`);
    if (variable === "SELLER_ID") return expected(`the seller is registered separately on each chain (${perChain})`);
    if (variable === "SMOKE_OFFER_ID" || variable?.startsWith("SMOKE_"))
      return expected(`the known test offer exists separately on each chain (${perChain})`);
    if (variable && ["EXPECTED_DAILY_BURN_WEI", "SUBGRAPH_MAX_LAG_BLOCKS"].includes(variable))
      return expected("thresholds are sized per environment");
    if (variable === "SELLER_TOKENS") return expected(`token addresses and thresholds differ per chain (${perChain})`);
    if (variable === "SELLER_TREASURY") return suspicious("changes where the seller's funds are withdrawn to");
    // The seller.admin difference is flagged (and acknowledged) once, as config; its copy in each job adds nothing.
    if (variable === "SELLER_ADMIN") return noted("follows seller.admin");
    if (variable === "WEBHOOK_ENDPOINTS" || variable === "GCP_PROJECT")
      return endpointClassification(toValue, toEnvironment);
  }
  if (type.startsWith("gcp:") && /(^|\.)project$/.test(path)) return endpointClassification(toValue, toEnvironment);
  return noted("not security-relevant");
}

/** Resources that exist once per availability zone. */
export const perZoneTypes = new Set([
  "aws:ec2/subnet:Subnet",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
]);
