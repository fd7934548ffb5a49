import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { environmentVariables as env } from "../../lambdas/shared/environment";
import { jobArchive } from "./bundle";
import { EncryptionKey } from "./encryption-key";
import { viaService } from "./key-policy";
import { assumeRolePolicy, policyJson } from "./policy-document";

/**
 * The shipper's AWS side: its role, an encrypted log group with retention,
 * an encrypted DLQ, and the Lambda (nodejs22.x, arm64, active X-Ray, private
 * subnets) that CloudWatch Logs invokes asynchronously. A failed invocation
 * is retried twice by Lambda, then kept in the DLQ with its payload.
 */

export interface ShipperFunctionArgs {
  readonly region: string;
  readonly administrators: readonly pulumi.Input<string>[];
  readonly logRetentionDays: number;
  readonly environment: Readonly<Record<string, pulumi.Input<string>>>;
  readonly network: { readonly subnetIds: pulumi.Input<string>[]; readonly securityGroupIds: pulumi.Input<string>[] };
  readonly timeoutSeconds?: number;
}

export interface ShipperFunction {
  readonly role: aws.iam.Role;
  readonly function: aws.lambda.Function;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly encryptionKey: EncryptionKey;
}

const maxDeadLetterRetentionSeconds = 14 * 24 * 3600;

/** The shipper's role: created first, because the GCP side's trust names it. */
export function declareShipperRole(name: string, parent: pulumi.Resource): aws.iam.Role {
  const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
  return new aws.iam.Role(
    `${name}-role`,
    {
      description: "Runs the log shipper: reads nothing, writes its own logs, traces and dead letters; reaches GCP by workload identity federation",
      assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", accountId),
    },
    { parent },
  );
}

export function declareShipperFunction(name: string, role: aws.iam.Role, args: ShipperFunctionArgs, parent: pulumi.Resource): ShipperFunction {
  const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
  const encryptionKey = new EncryptionKey(
    `${name}-logs-and-dlq`,
    {
      description: "Encrypts the log shipper's own log group and dead-letter queue",
      administrators: args.administrators,
      uses: [
        {
          Sid: "CloudWatchLogsEncryptsTheShippersLogs",
          Effect: "Allow",
          Principal: { Service: [`logs.${args.region}.amazonaws.com`] },
          Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
          Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:aws:logs:${args.region}:${accountId}:log-group:*` } },
        },
        {
          Sid: "ShipperDeadLetters",
          Effect: "Allow",
          Principal: { AWS: [role.arn] },
          Action: ["kms:GenerateDataKey", "kms:Decrypt"],
          Resource: "*",
          Condition: viaService("sqs", args.region),
        },
      ],
    },
    { parent },
  );

  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-logs`,
    { retentionInDays: args.logRetentionDays, kmsKeyId: encryptionKey.arn },
    { parent },
  );

  const deadLetterQueue = new aws.sqs.Queue(
    `${name}-dlq`,
    { kmsMasterKeyId: encryptionKey.arn, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: maxDeadLetterRetentionSeconds },
    { parent },
  );

  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-permissions`,
    {
      role: role.id,
      policy: policyJson([
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
        { Sid: "DeadLetterFailedInvocations", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: deadLetterQueue.arn },
        // X-Ray has no resource-level permissions.
        { Sid: "WriteTraces", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
        {
          // What Lambda needs to attach the function to the private subnets; EC2 has no resource-level scoping for these.
          Sid: "AttachToPrivateSubnets",
          Effect: "Allow",
          Action: [
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSubnets",
            "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses",
          ],
          Resource: "*",
        },
      ]),
    },
    { parent },
  );

  const fn = new aws.lambda.Function(
    `${name}-function`,
    {
      description: "Ships the jobs' log records to GCP Cloud Logging (checklist B1, B4)",
      runtime: aws.lambda.Runtime.NodeJS22dX,
      architectures: ["arm64"],
      handler: "index.handler",
      code: jobArchive("shipper"),
      role: role.arn,
      memorySize: 512,
      timeout: args.timeoutSeconds ?? 60,
      environment: { variables: { ...args.environment, [env.serviceName]: "shipper", NODE_OPTIONS: "--enable-source-maps" } },
      tracingConfig: { mode: "Active" },
      deadLetterConfig: { targetArn: deadLetterQueue.arn },
      loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
      vpcConfig: { subnetIds: args.network.subnetIds, securityGroupIds: args.network.securityGroupIds },
    },
    { parent, dependsOn: [rolePolicy] },
  );

  new aws.lambda.FunctionEventInvokeConfig(
    `${name}-async`,
    {
      functionName: fn.name,
      // Lambda's own retries of a failed subscription delivery, then the DLQ.
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 6 * 3600,
    },
    { parent },
  );

  return { role, function: fn, logGroup, deadLetterQueue, encryptionKey };
}
