/**
 * The Pulumi type tokens the offline tools and tests look resources up by,
 * in one table: a provider upgrade that renames a token is fixed here once.
 */
export const resourceTypes = {
  stack: "pulumi:pulumi:Stack",
  // Kit components.
  jobFunction: "boson-kit:jobs:JobFunction",
  logPipeline: "boson-kit:observability:LogPipeline",
  // AWS.
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  function: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  schedule: "aws:scheduler/schedule:Schedule",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  logSubscription: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
  queue: "aws:sqs/queue:Queue",
  topic: "aws:sns/topic:Topic",
  topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
  table: "aws:dynamodb/table:Table",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  secretPolicy: "aws:secretsmanager/secretPolicy:SecretPolicy",
  nat: "aws:ec2/natGateway:NatGateway",
  eip: "aws:ec2/eip:Eip",
  subnet: "aws:ec2/subnet:Subnet",
  vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  trail: "aws:cloudtrail/trail:Trail",
  headers: "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
  // GCP.
  pool: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
  poolProvider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  serviceAccount: "gcp:serviceaccount/account:Account",
  serviceAccountKey: "gcp:serviceaccount/key:Key",
  serviceAccountIam: "gcp:serviceaccount/iAMMember:IAMMember",
  projectIam: "gcp:projects/iAMMember:IAMMember",
  bucket: "gcp:logging/projectBucketConfig:ProjectBucketConfig",
  sink: "gcp:logging/projectSink:ProjectSink",
  dataset: "gcp:bigquery/dataset:Dataset",
  datasetIam: "gcp:bigquery/datasetIamMember:DatasetIamMember",
  logMetric: "gcp:logging/metric:Metric",
  cryptoKeyIam: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
} as const;

export type ResourceTypeKey = keyof typeof resourceTypes;
