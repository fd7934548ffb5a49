import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EncryptionKey } from "./encryption-key";
import { viaService } from "../definitions/key-policy";
import type { PolicyStatement } from "../definitions/policy-document";

export interface StateArgs {
  readonly region: string;
  /** Manage the tables' key, never use it. */
  readonly administrators: readonly pulumi.Input<string>[];
  /** Run `pulumi up` and refresh: what deploying needs on the keys, never signing (config `deployers`). */
  readonly deployers: readonly pulumi.Input<string>[];
  /** The job roles that read and write each table. */
  readonly users: {
    readonly idempotency: readonly pulumi.Input<string>[];
    readonly events: readonly pulumi.Input<string>[];
    readonly checkpoints: readonly pulumi.Input<string>[];
  };
}

/**
 * The key permissions DynamoDB needs from the principal that creates a table
 * encrypted with a customer managed key or restores it (PITR), through
 * DynamoDB only (the aws/dynamodb managed key grants the same set).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
 */
export const dynamoDbTableCreatorActions = [
  "kms:CreateGrant",
  "kms:Decrypt",
  "kms:DescribeKey",
  "kms:Encrypt",
  "kms:GenerateDataKey*",
  "kms:ReEncrypt*",
] as const;

/** The item attribute names the jobs rely on. */
export const stateKeys = {
  /** Powertools Idempotency's defaults: the key attribute and the TTL attribute. */
  idempotency: { hashKey: "id", ttlAttribute: "expiration" },
  /** `${txHash}#${logIndex}`: a log is stored once however often it is read (checklist O5). */
  events: { hashKey: "id" },
  /** One item per watched stream: the last final block the watcher processed. */
  checkpoints: { hashKey: "id" },
} as const;

/**
 * The jobs' durable state in DynamoDB: idempotency records for writes
 * (checklist O1), chain events deduplicated by (txHash, logIndex) (O5), and
 * the watcher's checkpoints. Point-in-time recovery on, encrypted with a
 * customer-managed key that only the tables' users may use.
 */
export class State extends pulumi.ComponentResource {
  public readonly idempotencyTable: aws.dynamodb.Table;
  public readonly eventsTable: aws.dynamodb.Table;
  public readonly checkpointsTable: aws.dynamodb.Table;
  public readonly encryptionKey: EncryptionKey;

  constructor(name: string, args: StateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:state:State", name, {}, opts);

    const tableUsers = [...new Set([...args.users.idempotency, ...args.users.events, ...args.users.checkpoints])];
    const uses: PolicyStatement[] = [
      {
        Sid: "JobsUseTheirTables",
        Effect: "Allow",
        Principal: { AWS: tableUsers },
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        Resource: "*",
        Condition: viaService("dynamodb", args.region),
      },
      {
        // What AWS documents for whoever creates a table under a customer managed
        // key, or restores one to a point in time: DynamoDB checks the key and
        // takes a grant on the caller's behalf, only through DynamoDB.
        Sid: "DeployersCreateAndRestoreTheTables",
        Effect: "Allow",
        Principal: { AWS: args.deployers },
        Action: dynamoDbTableCreatorActions,
        Resource: "*",
        Condition: viaService("dynamodb", args.region),
      },
      {
        Sid: "DynamoDbDescribesTheKey",
        Effect: "Allow",
        Principal: { Service: ["dynamodb.amazonaws.com"] },
        Action: ["kms:DescribeKey"],
        Resource: "*",
      },
    ];
    this.encryptionKey = new EncryptionKey(
      `${name}-tables`,
      {
        description: "Encrypts the jobs' DynamoDB tables",
        administrators: args.administrators,
        deployers: args.deployers,
        uses,
      },
      { parent: this },
    );

    const table = (tableName: string, hashKey: string, ttlAttribute?: string) =>
      new aws.dynamodb.Table(
        `${name}-${tableName}`,
        {
          billingMode: "PAY_PER_REQUEST",
          hashKey,
          attributes: [{ name: hashKey, type: "S" }],
          ...(ttlAttribute ? { ttl: { attributeName: ttlAttribute, enabled: true } } : {}),
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true, kmsKeyArn: this.encryptionKey.arn },
          deletionProtectionEnabled: true,
        },
        { parent: this },
      );
    this.idempotencyTable = table("idempotency", stateKeys.idempotency.hashKey, stateKeys.idempotency.ttlAttribute);
    this.eventsTable = table("events", stateKeys.events.hashKey);
    this.checkpointsTable = table("checkpoints", stateKeys.checkpoints.hashKey);

    this.registerOutputs({
      idempotencyTableName: this.idempotencyTable.name,
      eventsTableName: this.eventsTable.name,
      checkpointsTableName: this.checkpointsTable.name,
    });
  }
}
