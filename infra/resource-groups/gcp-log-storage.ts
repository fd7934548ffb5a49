import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { alertField, alertNames, metricNames } from "../../lambdas/contract";
import type { LogPipelineNames } from "../definitions/gcp-names";

/**
 * Where the shipped records live in GCP (checklist B1): a log bucket with the
 * stack's retention and Log Analytics (SQL search), a private BigQuery
 * dataset (CMK-encrypted when the stack names a key) fed by a sink for
 * replay, the sink's writer identity granted on that dataset only, and
 * log-based metrics for disputes raised and withdrawals.
 */

export interface LogStorageArgs {
  readonly gcpProject: string;
  readonly region: string;
  readonly stack: string;
  readonly names: LogPipelineNames;
  readonly retentionDays: number;
  readonly bigQueryKmsKeyName?: string | undefined;
  readonly dependsOn: readonly pulumi.Resource[];
}

export interface LogStorage {
  readonly bucket: gcp.logging.ProjectBucketConfig;
  readonly bucketSink: gcp.logging.ProjectSink;
  readonly dataset: gcp.bigquery.Dataset;
  readonly bigQuerySink: gcp.logging.ProjectSink;
  readonly metrics: readonly gcp.logging.Metric[];
}

/** The filter that selects the shipper's entries for this stack. */
export function shippedLogFilter(gcpProject: string, names: LogPipelineNames): string {
  return `logName="projects/${gcpProject}/logs/${names.logId}"`;
}

export function declareLogStorage(
  name: string,
  args: LogStorageArgs,
  opts: { parent: pulumi.Resource; provider: gcp.Provider },
): LogStorage {
  const { names } = args;
  const resourceOpts = { parent: opts.parent, provider: opts.provider, dependsOn: [...args.dependsOn] };
  const filter = shippedLogFilter(args.gcpProject, names);

  const bucket = new gcp.logging.ProjectBucketConfig(
    `${name}-bucket`,
    {
      project: args.gcpProject,
      location: args.region,
      bucketId: names.bucketId,
      retentionDays: args.retentionDays,
      enableAnalytics: true,
      description: `boson-kit ${args.stack} job logs: one record per tool call, searchable with Log Analytics SQL`,
    },
    resourceOpts,
  );

  const bucketSink = new gcp.logging.ProjectSink(
    `${name}-to-bucket`,
    {
      project: args.gcpProject,
      name: names.bucketSinkName,
      description: "Routes the shipper's entries to the kit's log bucket",
      destination: pulumi.interpolate`logging.googleapis.com/projects/${args.gcpProject}/locations/${args.region}/buckets/${bucket.bucketId}`,
      filter,
      uniqueWriterIdentity: true,
    },
    resourceOpts,
  );

  // The kit's sinks keep these entries; the project's `_Default` sink would ingest (and bill) them a second time.
  new gcp.logging.ProjectExclusion(
    `${name}-not-in-default-sink`,
    {
      project: args.gcpProject,
      name: `${names.bucketSinkName}-not-in-default`,
      description: "The shipper's entries are stored by the kit's own sinks, not again by _Default",
      filter,
    },
    resourceOpts,
  );

  const dataset = new gcp.bigquery.Dataset(
    `${name}-dataset`,
    {
      project: args.gcpProject,
      datasetId: names.datasetId,
      location: args.region,
      friendlyName: `boson-kit ${args.stack} logs`,
      description: "Replay of the kit's tool calls (one row per log entry), written by a Cloud Logging sink",
      // The table's partitions age out with the bucket's retention.
      defaultPartitionExpirationMs: args.retentionDays * 24 * 3600 * 1000,
      deleteContentsOnDestroy: false,
      labels: { stack: names.bucketId.replace(/[^a-z0-9_-]/g, "-"), component: "log-pipeline" },
      ...(args.bigQueryKmsKeyName ? { defaultEncryptionConfiguration: { kmsKeyName: args.bigQueryKmsKeyName } } : {}),
    },
    resourceOpts,
  );

  const bigQuerySink = new gcp.logging.ProjectSink(
    `${name}-to-bigquery`,
    {
      project: args.gcpProject,
      name: names.bigQuerySinkName,
      description: "Exports the shipper's entries to BigQuery for replay",
      destination: pulumi.interpolate`bigquery.googleapis.com/projects/${args.gcpProject}/datasets/${dataset.datasetId}`,
      filter,
      uniqueWriterIdentity: true,
      bigqueryOptions: { usePartitionedTables: true },
    },
    resourceOpts,
  );

  // The sink's writer identity may write to this dataset and nothing else.
  new gcp.bigquery.DatasetIamMember(
    `${name}-sink-writes-dataset`,
    {
      project: args.gcpProject,
      datasetId: dataset.datasetId,
      role: "roles/bigquery.dataEditor",
      member: bigQuerySink.writerIdentity,
    },
    resourceOpts,
  );

  if (args.bigQueryKmsKeyName) {
    // BigQuery encrypts the dataset's tables as its per-project service agent, which must be able to use the key.
    const bigQueryAgent = gcp.bigquery.getDefaultServiceAccountOutput(
      { project: args.gcpProject },
      { parent: opts.parent, provider: opts.provider, dependsOn: [...args.dependsOn] },
    );
    new gcp.kms.CryptoKeyIAMMember(
      `${name}-bigquery-uses-cmk`,
      {
        cryptoKeyId: args.bigQueryKmsKeyName,
        role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        member: pulumi.interpolate`serviceAccount:${bigQueryAgent.email}`,
      },
      { parent: opts.parent, provider: opts.provider },
    );
  }

  // Counters of the shipped entries a filter selects, each labelled with the Boson configId.
  const countMetric = (
    metric: string,
    spec: { description: string; filter: string; labels?: { key: string; description: string; extractor: string }[] },
  ) => {
    const labels = [
      { key: "config_id", description: "The Boson configId", extractor: "EXTRACT(labels.configId)" },
      ...(spec.labels ?? []),
    ];
    return new gcp.logging.Metric(
      `${name}-${metric}`,
      {
        project: args.gcpProject,
        name: `boson-kit/${names.logId}/${metric}`,
        description: spec.description,
        filter: `${filter} AND ${spec.filter}`,
        metricDescriptor: {
          metricKind: "DELTA",
          valueType: "INT64",
          unit: "1",
          labels: labels.map(({ key, description }) => ({ key, valueType: "STRING", description })),
        },
        labelExtractors: Object.fromEntries(labels.map(({ key, extractor }) => [key, extractor])),
      },
      resourceOpts,
    );
  };

  const metrics = [
    countMetric("disputes-raised", {
      description:
        "Disputes raised on the seller's exchanges (checklist B3): the watcher logs one `dispute raised` record per new dispute",
      filter: `labels.job="watcher" AND jsonPayload.${alertField}="${alertNames.disputeRaised}"`,
    }),
    countMetric("withdrawals", {
      description: `Executed withdrawals (checklist M1): the withdraw job's ${metricNames.withdrawnAmountWei} records, one per token withdrawn`,
      filter: `labels.job="withdraw" AND jsonPayload.${metricNames.withdrawnAmountWei}>0`,
      labels: [{ key: "token", description: "The token's symbol", extractor: "EXTRACT(jsonPayload.Token)" }],
    }),
  ];

  return { bucket, bucketSink, dataset, bigQuerySink, metrics };
}
