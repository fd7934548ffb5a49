/**
 * Names of the log pipeline's GCP resources, derived from the stack name.
 * The infra (which creates them), the shipper's environment (which writes to
 * them) and the replay tool (which queries them) all take them from here, so
 * a renamed bucket or dataset cannot leave the replay querying the old one.
 */

/** `production-eu` -> `production-eu`; anything GCP ids refuse becomes a hyphen. */
function slug(stack: string): string {
  return stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
}

function clip(id: string, max: number): string {
  return id.slice(0, max).replace(/-+$/, "");
}

export interface LogPipelineNames {
  /** Cloud Logging log id the shipper writes to: `projects/<p>/logs/<logId>`. */
  readonly logId: string;
  /** The log bucket (Log Analytics enabled). */
  readonly bucketId: string;
  /** The BigQuery dataset the replay sink writes to. */
  readonly datasetId: string;
  /** The table the BigQuery sink creates: the log id with non-word characters as underscores. */
  readonly tableId: string;
  /** Workload identity pool (4-32 characters). */
  readonly poolId: string;
  /** The pool's AWS provider (4-32 characters). */
  readonly providerId: string;
  /** The shipper's service account (6-30 characters). */
  readonly serviceAccountId: string;
  readonly bucketSinkName: string;
  readonly bigQuerySinkName: string;
}

export function logPipelineNames(stack: string): LogPipelineNames {
  const name = slug(stack);
  const logId = `boson-kit-${name}`;
  return {
    logId,
    bucketId: clip(`boson-kit-${name}`, 100),
    datasetId: `boson_kit_${name.replace(/-/g, "_")}_logs`.slice(0, 1024),
    tableId: logId.replace(/[^A-Za-z0-9_]/g, "_"),
    poolId: clip(`boson-kit-${name}`, 32),
    providerId: "aws-shipper",
    serviceAccountId: clip(`boson-shipper-${name}`, 30),
    bucketSinkName: clip(`boson-kit-${name}-to-bucket`, 100),
    bigQuerySinkName: clip(`boson-kit-${name}-to-bigquery`, 100),
  };
}

/** The Log Analytics view over the bucket: `project.location.bucket._AllLogs`. */
export function logAnalyticsView(gcpProject: string, region: string, stack: string): string {
  return `${gcpProject}.${region}.${logPipelineNames(stack).bucketId}._AllLogs`;
}

/** The BigQuery table the sink writes (partitioned by timestamp). */
export function bigQueryTable(gcpProject: string, stack: string): string {
  const names = logPipelineNames(stack);
  return `${gcpProject}.${names.datasetId}.${names.tableId}`;
}
