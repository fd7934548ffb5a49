import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { environmentVariables as env } from "../../lambdas/contract";
import { EncryptionKey } from "../components/encryption-key";
import { JobFunction, type JobFunctionArgs } from "../components/job-function";
import { cloudWatchLogsStatement, deadLetterSendersStatement } from "../definitions/key-policy";

/**
 * The shipper's AWS side: its role, an encrypted log group with retention,
 * an encrypted DLQ, and the Lambda (nodejs22.x, arm64, active X-Ray, private
 * subnets) that CloudWatch Logs invokes asynchronously. A failed invocation
 * is retried twice by Lambda, then kept in the DLQ with its payload.
 */

export interface ShipperFunctionArgs extends Pick<JobFunctionArgs, "logRetentionDays" | "environment" | "network"> {
  /** Declared first by the log pipeline, because the GCP side's trust names it. */
  readonly role: aws.iam.Role;
  readonly region: string;
  readonly administrators: readonly pulumi.Input<string>[];
  /** Run `pulumi up` and refresh: what deploying needs on the keys, never signing (config `deployers`). */
  readonly deployers: readonly pulumi.Input<string>[];
}

/** The shipper's settings that are part of its release identity (the same in every stack). */
export const shipperSettings = { job: "shipper", timeoutSeconds: 60, memorySizeMb: 512 } as const;

export interface ShipperFunction {
  readonly role: aws.iam.Role;
  readonly function: aws.lambda.Function;
  readonly releaseIdentity: JobFunction["releaseIdentity"];
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly encryptionKey: EncryptionKey;
}

/**
 * The shipper's function, key and async-invoke settings, declared under
 * `opts.parent` (the log pipeline). The function's own resources sit in a
 * `JobFunction` and alias their URNs directly under the pipeline, so the
 * deployed resources are kept rather than replaced.
 */
export function declareShipperFunction(
  name: string,
  args: ShipperFunctionArgs,
  opts: { parent: pulumi.Resource },
): ShipperFunction {
  const { parent } = opts;
  const { role } = args;
  const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
  const encryptionKey = new EncryptionKey(
    `${name}-logs-and-dlq`,
    {
      description: "Encrypts the log shipper's own log group and dead-letter queue",
      administrators: args.administrators,
      deployers: args.deployers,
      uses: [
        cloudWatchLogsStatement("CloudWatchLogsEncryptsTheShippersLogs", args.region, accountId),
        deadLetterSendersStatement("ShipperDeadLetters", [role.arn], args.region),
      ],
    },
    { parent },
  );

  const shipper = new JobFunction(
    name,
    {
      ...shipperSettings,
      description: "Ships the jobs' log records to GCP Cloud Logging (checklist B1, B4)",
      role,
      environment: { ...args.environment, [env.serviceName]: "shipper" },
      permissions: [],
      encryptionKeyArn: encryptionKey.arn,
      logRetentionDays: args.logRetentionDays,
      network: args.network,
      childAliases: [{ parent }],
    },
    { parent },
  );
  const { function: fn, logGroup, deadLetterQueue } = shipper;

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

  return { role, function: fn, releaseIdentity: shipper.releaseIdentity, logGroup, deadLetterQueue, encryptionKey };
}
