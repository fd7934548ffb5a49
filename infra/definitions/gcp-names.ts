/**
 * Names of the log pipeline's GCP resources, derived from the stack name, the
 * GCP region and the config's `gcp.generation`.
 * The infra (which creates them), the shipper's environment (which writes to
 * them) and the replay tool (which queries them) all take them from here, so
 * a renamed bucket or dataset cannot leave the replay querying the old one.
 */

/** `production-eu` -> `production-eu`; anything GCP ids refuse becomes a hyphen. */
function slug(stack: string): string {
  return stack
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
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

/** Where the pipeline's GCP resources live, and which generation of their ids is current. */
export interface LogPipelinePlacement {
  readonly region: string;
  /**
   * Google keeps a deleted log bucket's id for 7 days and a workload identity
   * pool's for 30: destroying and recreating the stack sooner fails with
   * "already exists". Bumping the generation gives new ids (or undelete the
   * old ones: `gcloud logging buckets undelete`, `gcloud iam
   * workload-identity-pools undelete`).
   */
  readonly generation: number;
}

/**
 * The bucket and dataset ids carry the region, so moving the pipeline to
 * another region creates new ones next to the old instead of replacing them
 * under the same id (which Google refuses); every reserved id carries the generation.
 */
export function logPipelineNames(stack: string, placement: LogPipelinePlacement): LogPipelineNames {
  const name = slug(stack);
  const logId = `boson-kit-${name}`;
  const generation = `g${placement.generation}`;
  const region = slug(placement.region);
  return {
    logId,
    bucketId: `${clip(`boson-kit-${name}`, 100 - region.length - generation.length - 2)}-${region}-${generation}`,
    datasetId: `boson_kit_${name.replace(/-/g, "_")}_${region.replace(/-/g, "_")}_${generation}_logs`.slice(0, 1024),
    tableId: logId.replace(/[^A-Za-z0-9_]/g, "_"),
    poolId: `${clip(`boson-kit-${name}`, 32 - generation.length - 1)}-${generation}`,
    providerId: "aws-shipper",
    serviceAccountId: clip(`boson-shipper-${name}`, 30),
    bucketSinkName: clip(`boson-kit-${name}-to-bucket`, 100),
    bigQuerySinkName: clip(`boson-kit-${name}-to-bigquery`, 100),
  };
}

/** The Log Analytics view over the bucket: `project.location.bucket._AllLogs`. */
export function logAnalyticsView(gcp: LogPipelinePlacement & { readonly project: string }, stack: string): string {
  return `${gcp.project}.${gcp.region}.${logPipelineNames(stack, gcp).bucketId}._AllLogs`;
}

/** The BigQuery table the sink writes (partitioned by timestamp). */
export function bigQueryTable(gcp: LogPipelinePlacement & { readonly project: string }, stack: string): string {
  const names = logPipelineNames(stack, gcp);
  return `${gcp.project}.${names.datasetId}.${names.tableId}`;
}
