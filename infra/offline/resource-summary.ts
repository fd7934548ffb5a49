import { parsePolicyDocument, principalIds, statementsOf } from "../policy/iam-document";
import type { RecordedResource } from "./evaluate";

/**
 * The settings a reader checks first for each resource type, shown by the
 * offline plan next to the resource. Types not listed show their scalar inputs.
 */
const keySettings: Readonly<Record<string, readonly string[]>> = {
  "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage", "deletionWindowInDays", "enableKeyRotation"],
  "aws:kms/alias:Alias": ["name"],
  "aws:lambda/function:Function": [
    "runtime",
    "architectures",
    "memorySize",
    "timeout",
    "reservedConcurrentExecutions",
    "tracingConfig.mode",
    "loggingConfig.logFormat",
  ],
  "aws:scheduler/schedule:Schedule": ["scheduleExpression", "state", "target.retryPolicy.maximumRetryAttempts"],
  "aws:cloudwatch/logGroup:LogGroup": ["retentionInDays", "kmsKeyId"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": [
    "metricName",
    "statistic",
    "period",
    "comparisonOperator",
    "threshold",
    "treatMissingData",
  ],
  "aws:sqs/queue:Queue": ["kmsMasterKeyId", "messageRetentionSeconds"],
  "aws:sns/topic:Topic": ["kmsMasterKeyId"],
  "aws:sns/topicSubscription:TopicSubscription": ["protocol", "endpoint"],
  "aws:dynamodb/table:Table": [
    "hashKey",
    "rangeKey",
    "billingMode",
    "pointInTimeRecovery.enabled",
    "ttl.attributeName",
  ],
  "aws:ec2/vpc:Vpc": ["cidrBlock"],
  "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone", "mapPublicIpOnLaunch"],
  "aws:ec2/natGateway:NatGateway": ["connectivityType"],
  "aws:secretsmanager/secret:Secret": ["kmsKeyId", "recoveryWindowInDays"],
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretString"],
  "aws:iam/role:Role": ["description"],
  "aws:ec2/eip:Eip": ["domain"],
  "aws:ec2/routeTable:RouteTable": ["routes.cidrBlock"],
  "random:index/randomBytes:RandomBytes": ["length"],
  "aws:cloudwatch/dashboard:Dashboard": ["dashboardName"],
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": [
    "securityHeadersConfig.contentSecurityPolicy.contentSecurityPolicy",
  ],
};

/** `Sid` of each statement, Deny ones marked, so a reader sees what a policy grants without its ARNs. */
function policySummary(json: unknown): string | undefined {
  if (typeof json !== "string") return undefined;
  const document = parsePolicyDocument(json);
  if (!document.ok) return undefined;
  return `statements=${document.statements.map((statement) => `${statement.effect === "Deny" ? "!" : ""}${statement.sid ?? "?"}`).join(",")}`;
}

/** Settings computed from an input rather than read from one path. */
const derivedSettings: Readonly<Record<string, (inputs: Readonly<Record<string, unknown>>) => string | undefined>> = {
  "aws:kms/key:Key": (inputs) => policySummary(inputs.policy),
  "aws:iam/role:Role": (inputs) => {
    const [statement] = statementsOf(inputs.assumeRolePolicy);
    const services = statement ? principalIds(statement, "Service") : [];
    return services.length > 0 ? `assumedBy=${JSON.stringify(services)}` : undefined;
  },
  "aws:iam/rolePolicy:RolePolicy": (inputs) => policySummary(inputs.policy),
  "aws:secretsmanager/secretPolicy:SecretPolicy": (inputs) => policySummary(inputs.policy),
  "aws:sns/topicPolicy:TopicPolicy": (inputs) => policySummary(inputs.policy),
  "aws:lambda/function:Function": (inputs) => {
    const variables = (inputs.environment as { variables?: Record<string, unknown> } | undefined)?.variables;
    return variables ? `env=${Object.keys(variables).join(",")}` : undefined;
  },
  "aws:cloudwatch/dashboard:Dashboard": (inputs) => {
    const body = JSON.parse(String(inputs.dashboardBody ?? "{}")) as {
      widgets?: { properties?: { title?: string } }[];
    };
    return `widgets=${(body.widgets ?? []).map((widget) => widget.properties?.title).join("|")}`;
  },
};

function valueAtPath(inputs: Readonly<Record<string, unknown>>, path: string): unknown {
  return path.split(".").reduce<unknown>((node, segment) => {
    if (node === null || typeof node !== "object") return undefined;
    const record = node as Record<string, unknown>;
    return Array.isArray(node) ? record[0] && (record[0] as Record<string, unknown>)[segment] : record[segment];
  }, inputs);
}

function format(value: unknown): string {
  if (typeof value === "string") return value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(value);
}

/** `key=value` pairs for a resource's key settings; secret inputs show as [secret]. */
export function summarizeResource(resource: RecordedResource): string {
  const paths =
    keySettings[resource.type] ??
    Object.entries(resource.inputs)
      .filter(([, value]) => ["string", "number", "boolean"].includes(typeof value))
      .map(([key]) => key)
      .slice(0, 4);
  const pairs = paths.map((path) => {
    const secret = resource.secretInputs.some((secretPath) => path === secretPath || path.startsWith(`${secretPath}.`));
    const value = valueAtPath(resource.inputs, path);
    return value === undefined ? undefined : `${path}=${secret ? "[secret]" : format(value)}`;
  });
  // Policies and environments are summarized by name only: never a value that could be secret.
  const derived = resource.secretInputs.length === 0 ? derivedSettings[resource.type]?.(resource.inputs) : undefined;
  return [...pairs, derived].filter((pair): pair is string => pair !== undefined).join(" ");
}
