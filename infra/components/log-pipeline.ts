import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { environmentVariables as env } from "../../lambdas/contract";
import { logPipelineNames } from "../definitions/gcp-names";
import { assumeRolePolicy } from "../definitions/policy-document";
import { declareShipperIdentity } from "../resource-groups/gcp-identity";
import { declareLogStorage } from "../resource-groups/gcp-log-storage";
import type { ReleaseIdentity } from "../../lambdas/contract/release";
import type { KitConfig } from "../config";
import { declareShipperFunction } from "../resource-groups/shipper-function";

/**
 * The log pipeline (checklist B1, B4): every job's log group is subscribed
 * to the shipper Lambda, which writes the records to Cloud Logging in the
 * stack's GCP project; there a log bucket keeps them searchable with Log
 * Analytics SQL, a sink exports them to BigQuery for replay, and log-based
 * metrics count disputes and withdrawals. The shipper authenticates by
 * workload identity federation from its AWS role: no service-account key.
 */

export interface JobLogGroup {
  readonly job: string;
  readonly logGroupName: pulumi.Input<string>;
  readonly logGroupArn: pulumi.Input<string>;
}

export interface LogPipelineArgs {
  readonly stack: string;
  readonly configId: string;
  readonly awsRegion: string;
  readonly gcp: KitConfig["gcp"];
  /** CloudWatch retention of the shipper's own logs, and the GCP bucket's retention. */
  readonly logRetentionDays: number;
  /** Who administers the shipper's KMS key (never uses it). */
  readonly administrators: readonly pulumi.Input<string>[];
  /** Run `pulumi up` and refresh: what deploying needs on the keys, never signing (config `deployers`). */
  readonly deployers: readonly pulumi.Input<string>[];
  /** The log groups to ship; never the shipper's own (that would loop). */
  readonly jobLogGroups: readonly JobLogGroup[];
  /** Private subnets behind the NAT: the shipper reaches Google's APIs through them. */
  readonly network: { readonly subnetIds: pulumi.Input<string>[]; readonly securityGroupIds: pulumi.Input<string>[] };
}

/**
 * APIs the pipeline uses in the GCP project, enabled by the program itself
 * before anything reads or writes through them (Cloud Resource Manager
 * serves the project-number lookup). Service Usage is the API that enables
 * the others, so it cannot enable itself: `gcpApisToEnableFirst` lists it for
 * the README and preflight.
 */
export const gcpServices = [
  "logging.googleapis.com",
  "bigquery.googleapis.com",
  "iam.googleapis.com",
  "iamcredentials.googleapis.com",
  "sts.googleapis.com",
  "cloudresourcemanager.googleapis.com",
] as const;

/** Enabled by hand once per project: `gcloud services enable serviceusage.googleapis.com --project <project>`. */
export const gcpApisToEnableFirst = ["serviceusage.googleapis.com"] as const;

/** Cloud Logging buckets keep logs for 1 to 3650 days. */
function bucketRetentionDays(days: number): number {
  return Math.min(Math.max(days, 1), 3650);
}

export class LogPipeline extends pulumi.ComponentResource {
  public readonly shipperFunction: aws.lambda.Function;
  public readonly shipperReleaseIdentity: pulumi.Output<ReleaseIdentity>;
  public readonly shipperRole: aws.iam.Role;
  public readonly shipperDeadLetterQueue: aws.sqs.Queue;
  public readonly serviceAccountEmail: pulumi.Output<string>;
  public readonly credentialConfig: pulumi.Output<string>;
  public readonly logBucketId: pulumi.Output<string>;
  public readonly datasetId: pulumi.Output<string>;
  public readonly subscriptionFilters: readonly aws.cloudwatch.LogSubscriptionFilter[];

  constructor(name: string, args: LogPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:observability:LogPipeline", name, {}, opts);
    const names = logPipelineNames(args.stack, args.gcp);

    const gcpProvider = new gcp.Provider(
      `${name}-gcp`,
      { project: args.gcp.project, region: args.gcp.region },
      { parent: this },
    );
    const services = gcpServices.map(
      (service) =>
        new gcp.projects.Service(
          `${name}-${service.split(".")[0]}-api`,
          { project: args.gcp.project, service, disableOnDestroy: false, disableDependentServices: false },
          { parent: this, provider: gcpProvider },
        ),
    );

    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    // Declared first: the GCP side's trust names it.
    this.shipperRole = new aws.iam.Role(
      `${name}-shipper-role`,
      {
        description:
          "Runs the log shipper: reads nothing, writes its own logs, traces and dead letters; reaches GCP by workload identity federation",
        assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com", accountId),
      },
      { parent: this },
    );

    const identity = declareShipperIdentity(
      `${name}-identity`,
      {
        gcpProject: args.gcp.project,
        stack: args.stack,
        names,
        awsAccountId: accountId,
        shipperRoleName: this.shipperRole.name,
        dependsOn: services,
      },
      { parent: this, provider: gcpProvider },
    );

    const storage = declareLogStorage(
      `${name}-storage`,
      {
        gcpProject: args.gcp.project,
        region: args.gcp.region,
        stack: args.stack,
        names,
        retentionDays: bucketRetentionDays(args.logRetentionDays),
        ...(args.gcp.bigQueryKmsKeyName ? { bigQueryKmsKeyName: args.gcp.bigQueryKmsKeyName } : {}),
        dependsOn: services,
      },
      { parent: this, provider: gcpProvider },
    );

    const shipper = declareShipperFunction(
      `${name}-shipper`,
      {
        role: this.shipperRole,
        region: args.awsRegion,
        administrators: args.administrators,
        deployers: args.deployers,
        logRetentionDays: args.logRetentionDays,
        network: args.network,
        environment: {
          [env.gcpProject]: args.gcp.project,
          [env.gcpLogName]: names.logId,
          // Not a secret: it names the pool, provider and service account, and holds no key.
          [env.gcpCredentialConfig]: identity.credentialConfig,
          [env.stack]: args.stack,
          [env.configId]: args.configId,
        },
      },
      { parent: this },
    );
    this.shipperFunction = shipper.function;
    this.shipperReleaseIdentity = shipper.releaseIdentity;
    this.shipperDeadLetterQueue = shipper.deadLetterQueue;

    this.subscriptionFilters = args.jobLogGroups.map((group) => {
      const permission = new aws.lambda.Permission(
        `${name}-${group.job}-invokes-shipper`,
        {
          action: "lambda:InvokeFunction",
          function: shipper.function.name,
          principal: `logs.${args.awsRegion}.amazonaws.com`,
          sourceArn: pulumi.interpolate`${group.logGroupArn}:*`,
          sourceAccount: accountId,
        },
        { parent: this },
      );
      return new aws.cloudwatch.LogSubscriptionFilter(
        `${name}-${group.job}-subscription`,
        {
          name: `boson-kit-${args.stack}-${group.job}-to-gcp`,
          logGroup: group.logGroupName,
          // Every record: the shipper decides nothing is noise.
          filterPattern: "",
          destinationArn: shipper.function.arn,
        },
        { parent: this, dependsOn: [permission] },
      );
    });

    this.serviceAccountEmail = identity.serviceAccount.email;
    this.credentialConfig = identity.credentialConfig;
    this.logBucketId = storage.bucket.bucketId;
    this.datasetId = storage.dataset.datasetId;

    this.registerOutputs({
      shipperFunctionName: this.shipperFunction.name,
      shipperRoleArn: this.shipperRole.arn,
      serviceAccountEmail: this.serviceAccountEmail,
      logBucketId: this.logBucketId,
      datasetId: this.datasetId,
    });
  }
}
