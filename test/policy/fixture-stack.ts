import type { RecordedResource } from "../../infra/offline/evaluate";
import { mockReferences, mockId } from "../../infra/policy/offline/references";
import { runPolicies, type PolicyOutcome } from "../../infra/policy/offline/run";
import { kitPolicies } from "../../infra/policy/policies";

/**
 * A hand-made stack that satisfies every policy, in the input shapes of
 * @pulumi/aws and @pulumi/gcp, with ids and ARNs as the mock harness makes
 * them. Each policy test breaks one thing in a copy of it.
 */

export const region = "eu-west-1";
const account = "123456789012";
const stackUrn = "urn:pulumi:test::boson-kit::pulumi:pulumi:Stack::boson-kit-test";

export const adminArn = `arn:aws:iam::${account}:role/boson-kit-key-admin`;
export const signerRoleArn = `arn:aws:iam::${account}:role/withdraw-role`;

export function resource(type: string, name: string, inputs: Record<string, unknown>): RecordedResource {
  return {
    urn: `urn:pulumi:test::boson-kit::${type}::${name}`,
    type,
    name,
    parent: stackUrn,
    custom: true,
    inputs,
    secretInputs: [],
  };
}

export const idOf = (type: string, name: string) => mockId(type, name);

const keyPolicy = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

export const adminStatement = {
  Sid: "Admins",
  Effect: "Allow",
  Principal: { AWS: [adminArn] },
  Action: ["kms:DescribeKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:EnableKey"],
  Resource: "*",
};
export const signerStatement = {
  Sid: "Signers",
  Effect: "Allow",
  Principal: { AWS: [signerRoleArn] },
  Action: ["kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"],
  Resource: "*",
};

export const signerKeyPolicy = (statements: unknown[] = [adminStatement, signerStatement]) => keyPolicy(statements);

const dataKeyArn = `arn:aws:kms:${region}:${account}:key/${idOf("aws:kms/key:Key", "data-key")}`;
const dlqArn = `arn:aws:sqs:${region}:${account}:withdraw-dlq`;
const topicArn = `arn:aws:sns:${region}:${account}:alerts`;

export const compliantCsp =
  "default-src 'self'; script-src 'self' https://widgets.bosonprotocol.io; frame-src https://widgets.bosonprotocol.io; object-src 'none'";

export function compliantStack(): RecordedResource[] {
  const privateSubnet = idOf("aws:ec2/subnet:Subnet", "private-a");
  const privateTable = idOf("aws:ec2/routeTable:RouteTable", "private-a");
  const nat = idOf("aws:ec2/natGateway:NatGateway", "nat-a");
  return [
    {
      urn: stackUrn,
      type: "pulumi:pulumi:Stack",
      name: "boson-kit-test",
      parent: undefined,
      custom: false,
      inputs: {},
      secretInputs: [],
    },
    resource("aws:kms/key:Key", "signer-key", {
      customerMasterKeySpec: "ECC_SECG_P256K1",
      keyUsage: "SIGN_VERIFY",
      deletionWindowInDays: 30,
      policy: signerKeyPolicy(),
    }),
    resource("aws:kms/key:Key", "data-key", {
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      keyUsage: "ENCRYPT_DECRYPT",
      enableKeyRotation: true,
      policy: keyPolicy([
        adminStatement,
        {
          Sid: "Logs",
          Effect: "Allow",
          Principal: { Service: ["logs.eu-west-1.amazonaws.com"] },
          Action: ["kms:Encrypt*", "kms:Decrypt*"],
          Resource: "*",
        },
      ]),
    }),
    resource("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" }),
    resource("aws:ec2/subnet:Subnet", "private-a", {
      vpcId: idOf("aws:ec2/vpc:Vpc", "vpc"),
      cidrBlock: "10.0.1.0/24",
      mapPublicIpOnLaunch: false,
    }),
    resource("aws:ec2/subnet:Subnet", "public-a", {
      vpcId: idOf("aws:ec2/vpc:Vpc", "vpc"),
      cidrBlock: "10.0.101.0/24",
      mapPublicIpOnLaunch: false,
    }),
    resource("aws:ec2/internetGateway:InternetGateway", "igw", { vpcId: idOf("aws:ec2/vpc:Vpc", "vpc") }),
    resource("aws:ec2/eip:Eip", "nat-a", { domain: "vpc" }),
    resource("aws:ec2/natGateway:NatGateway", "nat-a", {
      subnetId: idOf("aws:ec2/subnet:Subnet", "public-a"),
      allocationId: idOf("aws:ec2/eip:Eip", "nat-a"),
    }),
    resource("aws:ec2/routeTable:RouteTable", "private-a", { vpcId: idOf("aws:ec2/vpc:Vpc", "vpc") }),
    resource("aws:ec2/route:Route", "private-a-default", {
      routeTableId: privateTable,
      destinationCidrBlock: "0.0.0.0/0",
      natGatewayId: nat,
    }),
    resource("aws:ec2/routeTableAssociation:RouteTableAssociation", "private-a", {
      subnetId: privateSubnet,
      routeTableId: privateTable,
    }),
    resource("aws:ec2/routeTable:RouteTable", "public", {
      vpcId: idOf("aws:ec2/vpc:Vpc", "vpc"),
      routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: idOf("aws:ec2/internetGateway:InternetGateway", "igw") }],
    }),
    resource("aws:ec2/routeTableAssociation:RouteTableAssociation", "public-a", {
      subnetId: idOf("aws:ec2/subnet:Subnet", "public-a"),
      routeTableId: idOf("aws:ec2/routeTable:RouteTable", "public"),
    }),
    resource("aws:lambda/function:Function", "withdraw", {
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      role: signerRoleArn,
      reservedConcurrentExecutions: 1,
      tracingConfig: { mode: "Active" },
      deadLetterConfig: { targetArn: dlqArn },
      vpcConfig: { subnetIds: [privateSubnet], securityGroupIds: ["sg-jobs"] },
      environment: {
        variables: {
          CONFIG_ID: "production-137-0",
          KEY_ID: "key-id",
          RPC_SECRET_ARN: `arn:aws:secretsmanager:${region}:${account}:secret:rpc`,
        },
      },
      tags: { Job: "withdraw" },
    }),
    resource("aws:cloudwatch/logGroup:LogGroup", "withdraw-logs", { retentionInDays: 365, kmsKeyId: dataKeyArn }),
    resource("aws:sqs/queue:Queue", "withdraw-dlq", { name: "withdraw-dlq", kmsMasterKeyId: dataKeyArn }),
    resource("aws:sns/topic:Topic", "alerts", { name: "alerts", kmsMasterKeyId: dataKeyArn }),
    resource("aws:dynamodb/table:Table", "idempotency", {
      hashKey: "id",
      serverSideEncryption: { enabled: true, kmsKeyArn: dataKeyArn },
      pointInTimeRecovery: { enabled: true },
    }),
    resource("aws:secretsmanager/secret:Secret", "rpc", { kmsKeyId: dataKeyArn }),
    resource("aws:cloudwatch/metricAlarm:MetricAlarm", "gas-low", {
      metricName: "GasBalanceWei",
      alarmActions: [topicArn],
    }),
    resource("aws:scheduler/schedule:Schedule", "withdraw", {
      scheduleExpression: "rate(1 hour)",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: "arn:aws:lambda:x",
        roleArn: "arn:aws:iam::x",
        retryPolicy: { maximumRetryAttempts: 3 },
        deadLetterConfig: { arn: dlqArn },
      },
    }),
    resource("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "aws", {
      workloadIdentityPoolId: "boson-kit",
      workloadIdentityPoolProviderId: "aws",
      aws: { accountId: account },
      attributeCondition: `attribute.aws_role == "arn:aws:sts::${account}:assumed-role/shipper-role"`,
    }),
    resource("gcp:projects/iAMMember:IAMMember", "log-writer", {
      project: "p",
      role: "roles/logging.logWriter",
      member: "serviceAccount:shipper@p.iam.gserviceaccount.com",
    }),
    resource("gcp:bigquery/dataset:Dataset", "logs", {
      datasetId: "logs",
      accesses: [{ role: "OWNER", userByEmail: "shipper@p.iam.gserviceaccount.com" }],
    }),
    resource("gcp:storage/bucket:Bucket", "archive", {
      location: "EU",
      publicAccessPrevention: "enforced",
      uniformBucketLevelAccess: true,
    }),
    resource("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "storefront", {
      securityHeadersConfig: { contentSecurityPolicy: { contentSecurityPolicy: compliantCsp, override: true } },
    }),
  ];
}

/** Runs the whole pack on a stack, with references resolved as the harness makes them. */
export function evaluate(
  resources: readonly RecordedResource[],
  config?: Record<string, Record<string, unknown>>,
): Promise<PolicyOutcome[]> {
  return runPolicies(kitPolicies, resources, {
    references: mockReferences(resources, region),
    ...(config ? { config } : {}),
  });
}

/** A copy of the compliant stack with one resource's inputs changed. */
export function withChange(
  name: string,
  type: string,
  change: (inputs: Record<string, unknown>) => void,
): RecordedResource[] {
  return compliantStack().map((r) => {
    if (r.name !== name || r.type !== type) return r;
    const inputs = structuredClone(r.inputs) as Record<string, unknown>;
    change(inputs);
    return { ...r, inputs };
  });
}
