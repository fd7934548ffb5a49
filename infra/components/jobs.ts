import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { KitConfig } from "../config";
import { environmentVariables as env, jobNames, type JobName } from "../../lambdas/contract";
import { EncryptionKey } from "./encryption-key";
import { jobCatalog, type JobSpec } from "../definitions/job-catalog";
import type { JobRoles } from "./job-roles";
import { cloudWatchLogsStatement, deadLetterSendersStatement } from "../definitions/key-policy";
import type { PolicyStatement } from "../definitions/policy-document";
import { JobFunction } from "./job-function";
import { signingConditions } from "./signer";
import { businessTallyKeyPrefix } from "../../lambdas/contract/table-keys";

interface TableRef {
  readonly name: pulumi.Input<string>;
  readonly arn: pulumi.Input<string>;
}

export interface JobsArgs {
  readonly region: string;
  readonly administrators: readonly pulumi.Input<string>[];
  /** Run `pulumi up` and refresh: what deploying needs on the keys, never signing (config `deployers`). */
  readonly deployers: readonly pulumi.Input<string>[];
  readonly roles: JobRoles;
  readonly schedules: KitConfig["schedules"];
  /** False on a standby stack that is not switched on: schedules declared, disabled. */
  readonly schedulesEnabled?: boolean;
  readonly logRetentionDays: number;
  /** Ids from the stack config shared by every job (see `configEnvironment`). */
  readonly configEnvironment: Readonly<Record<string, string>>;
  readonly signer: {
    readonly keyId: pulumi.Input<string>;
    readonly keyArn: pulumi.Input<string>;
    readonly address: pulumi.Input<string>;
    /** The replica the jobs fail over to when the primary region's KMS is unavailable. */
    readonly replicaKeyArn?: pulumi.Input<string>;
    /** With the replica: the alias a standby stack declares in the replica's region while switched on (the jobs that sign stand down). */
    readonly standbyFenceAlias?: string;
    /** The address recorded after the first deploy; jobs refuse to sign for any other. */
    readonly pinnedAddress?: string;
    /** During a rotation: the pending key's address (the protocol accepts it from the opt-in until the jobs switch). */
    readonly rotationAddress?: pulumi.Input<string>;
  };
  readonly rpcSecretArn: pulumi.Input<string>;
  readonly tables: { readonly idempotency: TableRef; readonly events: TableRef; readonly checkpoints: TableRef };
  readonly webhooks: { readonly secretArn: pulumi.Input<string>; readonly endpointsJson: string };
  /** The smoke job's known test offer; without it the smoke job refuses to run. */
  readonly smoke: KitConfig["smoke"];
  readonly network: { readonly subnetIds: pulumi.Input<string>[]; readonly securityGroupIds: pulumi.Input<string>[] };
  /** The VPC endpoints the jobs sign and read secrets through (the key and secret policies require them too). */
  readonly endpoints: {
    readonly kms: pulumi.Input<string>;
    readonly secretsManager: pulumi.Input<string>;
    readonly egressIps: pulumi.Input<string[]>;
  };
  /** JSON of every Lambda's release identity in this stack, for the smoke job's record. */
  readonly releaseJson: pulumi.Input<string>;
}

/** The DynamoDB calls each table's code makes (Powertools Idempotency; lambdas/shared/stores/). */
const tableActions = {
  idempotency: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
  // Scan: the replay of dead-lettered webhook deliveries.
  events: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Scan"],
  checkpoints: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
} as const;

/**
 * The kit's four jobs (withdraw, health, watcher, smoke), each a
 * `JobFunction` with only the permissions, environment and schedule its
 * `jobCatalog` entry lists, and the customer-managed key for their logs and
 * dead-letter queues.
 */

/** The type the jobs' components were first deployed with: the alias keeps their URNs, and their children's. */
const previousJobType = "boson-kit:jobs:ScheduledJob";
export class Jobs extends pulumi.ComponentResource {
  public readonly jobs: Readonly<Record<JobName, JobFunction>>;
  public readonly encryptionKey: EncryptionKey;

  constructor(name: string, args: JobsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:jobs:Jobs", name, {}, opts);

    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const identities = jobNames.map((job) => args.roles.identity(job));
    const senders = identities.flatMap((identity) => [
      identity.executionRole.arn,
      ...(identity.schedulerRole ? [identity.schedulerRole.arn] : []),
    ]);
    this.encryptionKey = new EncryptionKey(
      `${name}-logs-and-dlq`,
      {
        description: "Encrypts the jobs' log groups and dead-letter queues",
        administrators: args.administrators,
        deployers: args.deployers,
        uses: [
          cloudWatchLogsStatement("CloudWatchLogsEncryptsTheJobsLogs", args.region, accountId),
          // Lambda (failed async runs) and Scheduler (undeliverable runs) write to the encrypted queues as these roles.
          deadLetterSendersStatement("JobsAndSchedulesDeadLetter", senders, args.region),
        ],
      },
      { parent: this },
    );

    const declare = (job: JobName): JobFunction => {
      const spec = jobCatalog[job];
      const identity = args.roles.identity(job);
      if (spec.schedule && !identity.schedulerRole)
        throw new Error(`the ${job} job has a schedule but JobRoles declared no scheduler role for it`);
      return new JobFunction(
        `${job}-job`,
        {
          job,
          description: spec.description,
          role: identity.executionRole,
          ...(spec.schedule && identity.schedulerRole
            ? {
                schedule: {
                  expression: args.schedules[spec.schedule],
                  role: identity.schedulerRole,
                  enabled: args.schedulesEnabled !== false,
                },
              }
            : {}),
          environment: { ...args.configEnvironment, ...jobEnvironment(job, spec, args) },
          permissions: jobPermissions(spec, args),
          encryptionKeyArn: this.encryptionKey.arn,
          logRetentionDays: args.logRetentionDays,
          network: args.network,
          timeoutSeconds: spec.timeoutSeconds,
          memorySizeMb: spec.memorySizeMb,
          reservedConcurrentExecutions: spec.reservedConcurrency ?? -1,
        },
        { parent: this, aliases: [{ type: previousJobType }] },
      );
    };
    this.jobs = Object.fromEntries(jobNames.map((job) => [job, declare(job)])) as Record<JobName, JobFunction>;

    this.registerOutputs({
      functionNames: Object.fromEntries(jobNames.map((job) => [job, this.jobs[job].function.name])),
    });
  }
}

/** The ids a job needs beyond the shared config: only for what it uses. */
function jobEnvironment(job: JobName, spec: JobSpec, args: JobsArgs): Record<string, pulumi.Input<string>> {
  return {
    [env.serviceName]: job,
    [env.rpcSecretArn]: args.rpcSecretArn,
    ...(spec.uses.signer ? { [env.keyId]: args.signer.keyId } : {}),
    ...(spec.uses.signer && args.signer.replicaKeyArn ? { [env.replicaKeyArn]: args.signer.replicaKeyArn } : {}),
    ...(spec.uses.signer === "sign" && args.signer.replicaKeyArn && args.signer.standbyFenceAlias
      ? { [env.standbyFenceAlias]: args.signer.standbyFenceAlias }
      : {}),
    ...(spec.uses.signer && args.signer.pinnedAddress ? { [env.pinnedSignerAddress]: args.signer.pinnedAddress } : {}),
    ...(spec.uses.signerAddress ? { [env.signerAddress]: args.signer.address } : {}),
    ...((spec.uses.signer || spec.uses.signerAddress) && args.signer.rotationAddress
      ? { [env.rotationSignerAddress]: args.signer.rotationAddress }
      : {}),
    ...(spec.uses.smokeOffer && args.smoke
      ? {
          [env.smokeOfferId]: args.smoke.offerId,
          [env.smokeBuyerPercent]: String(args.smoke.buyerPercent),
          [env.smokeExchangeToken]: args.smoke.exchangeToken,
        }
      : {}),
    ...(spec.uses.idempotencyTable ? { [env.idempotencyTable]: args.tables.idempotency.name } : {}),
    ...(spec.uses.eventsTable || spec.uses.businessCounters ? { [env.eventsTable]: args.tables.events.name } : {}),
    ...(spec.uses.checkpointsTable ? { [env.checkpointsTable]: args.tables.checkpoints.name } : {}),
    ...(spec.uses.webhookSecret
      ? { [env.webhookSecretArn]: args.webhooks.secretArn, [env.webhookEndpoints]: args.webhooks.endpointsJson }
      : {}),
    ...(spec.uses.releaseRecord
      ? { [env.release]: args.releaseJson, [env.releaseRecordsTable]: args.tables.checkpoints.name }
      : {}),
  };
}

/**
 * What the job's code calls, scoped to the resources it calls them on. The
 * data keys' policies name the job roles themselves, so KMS decrypt for
 * secrets and tables needs no statement here; signing is listed at both
 * layers, with the same conditions.
 */
function jobPermissions(spec: JobSpec, args: JobsArgs): PolicyStatement[] {
  const throughSecretsEndpoint = { StringEquals: { "aws:SourceVpce": args.endpoints.secretsManager } };
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadRpcUrls",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: args.rpcSecretArn,
      Condition: throughSecretsEndpoint,
    },
  ];
  if (spec.uses.signer === "sign") {
    statements.push({
      Sid: "SignDigests",
      Effect: "Allow",
      Action: ["kms:Sign"],
      Resource: args.signer.keyArn,
      Condition: { StringEquals: { ...signingConditions, "aws:SourceVpce": args.endpoints.kms } },
    });
  }
  if (spec.uses.signer === "sign" && args.signer.replicaKeyArn !== undefined) {
    // The replica is in another region: reached over NAT, so from the NAT gateways' IPs, never through this region's endpoint.
    statements.push({
      Sid: "SignDigestsWithTheReplica",
      Effect: "Allow",
      Action: ["kms:Sign"],
      Resource: args.signer.replicaKeyArn,
      Condition: {
        StringEquals: signingConditions,
        IpAddress: { "aws:SourceIp": args.endpoints.egressIps as unknown as readonly pulumi.Input<string>[] },
      }, // an Output of the list, resolved by policyJson
    });
  }
  if (spec.uses.signer) {
    // DescribeKey on the replica also reads the standby fence: KMS authorises an alias lookup on the key the alias names.
    statements.push({
      Sid: "ReadSignerPublicKey",
      Effect: "Allow",
      Action: ["kms:GetPublicKey", "kms:DescribeKey"],
      Resource: signerKeyArns(args),
    });
  }
  if (spec.uses.idempotencyTable) {
    statements.push({
      Sid: "UseIdempotencyRecords",
      Effect: "Allow",
      Action: tableActions.idempotency,
      Resource: args.tables.idempotency.arn,
    });
  }
  if (spec.uses.eventsTable) {
    statements.push({
      Sid: "StoreChainEvents",
      Effect: "Allow",
      Action: tableActions.events,
      Resource: args.tables.events.arn,
    });
  }
  if (spec.uses.businessCounters && !spec.uses.eventsTable) {
    statements.push({
      Sid: "ReadBusinessCounters",
      Effect: "Allow",
      Action: ["dynamodb:GetItem"],
      Resource: args.tables.events.arn,
      // Only the counters' items, not the events or webhook payloads.
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${businessTallyKeyPrefix}*`] } },
    });
  }
  if (spec.uses.checkpointsTable) {
    statements.push({
      Sid: "KeepCheckpoints",
      Effect: "Allow",
      Action: tableActions.checkpoints,
      Resource: args.tables.checkpoints.arn,
    });
  }
  if (spec.uses.releaseRecord) {
    statements.push({
      Sid: "RecordSmokeRuns",
      Effect: "Allow",
      Action: ["dynamodb:PutItem"],
      Resource: args.tables.checkpoints.arn,
      // Only its own record: never a watcher checkpoint.
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["smoke-release#*"] } },
    });
  }
  if (spec.uses.webhookSecret) {
    statements.push({
      Sid: "ReadWebhookSigningKey",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: args.webhooks.secretArn,
      Condition: throughSecretsEndpoint,
    });
  }
  return statements;
}

/** The primary key, and its replica when there is one (the failover signs there). */
function signerKeyArns(args: JobsArgs): pulumi.Input<string> | pulumi.Input<string>[] {
  return args.signer.replicaKeyArn === undefined ? args.signer.keyArn : [args.signer.keyArn, args.signer.replicaKeyArn];
}
