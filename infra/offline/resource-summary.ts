import type { RecordedResource } from "./mock-harness";

/**
 * The settings a reader checks first for each resource type, shown by the
 * offline plan next to the resource. Types not listed show their scalar inputs.
 */
const keySettings: Readonly<Record<string, readonly string[]>> = {
  "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage", "deletionWindowInDays", "enableKeyRotation"],
  "aws:kms/alias:Alias": ["name"],
  "aws:lambda/function:Function": ["runtime", "architectures", "memorySize", "timeout", "reservedConcurrentExecutions", "tracingConfig.mode"],
  "aws:scheduler/schedule:Schedule": ["scheduleExpression", "state", "target.retryPolicy.maximumRetryAttempts"],
  "aws:cloudwatch/logGroup:LogGroup": ["retentionInDays", "kmsKeyId"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["metricName", "comparisonOperator", "threshold", "treatMissingData"],
  "aws:sqs/queue:Queue": ["kmsMasterKeyId", "messageRetentionSeconds"],
  "aws:sns/topic:Topic": ["kmsMasterKeyId"],
  "aws:sns/topicSubscription:TopicSubscription": ["protocol"],
  "aws:dynamodb/table:Table": ["hashKey", "rangeKey", "billingMode", "pointInTimeRecovery.enabled", "ttl.attributeName"],
  "aws:ec2/vpc:Vpc": ["cidrBlock"],
  "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone", "mapPublicIpOnLaunch"],
  "aws:ec2/natGateway:NatGateway": ["connectivityType"],
  "aws:secretsmanager/secret:Secret": ["kmsKeyId", "recoveryWindowInDays"],
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
  return paths
    .map((path) => {
      const secret = resource.secretInputs.some((secretPath) => path === secretPath || path.startsWith(`${secretPath}.`));
      const value = valueAtPath(resource.inputs, path);
      return value === undefined ? undefined : `${path}=${secret ? "[secret]" : format(value)}`;
    })
    .filter((pair): pair is string => pair !== undefined)
    .join(" ");
}
