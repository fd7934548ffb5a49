import { fail, isGoogleNotFound, pass, type CheckResult, type PreflightCheck } from "./check";

const name = "GCP log bucket id";

/**
 * A deleted log bucket stays in DELETE_REQUESTED for 7 days and keeps its id:
 * creating a bucket under that id fails until then.
 */
export const gcpLogBuckets: PreflightCheck = {
  name,
  permissions: ["logging.buckets.get"],
  async run(context): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const { project, location, bucketId } of context.needs.logBuckets) {
      const bucketName = `projects/${project}/locations/${location}/buckets/${bucketId}`;
      let state: string;
      try {
        const [bucket] = await context.gcp.logging.getBucket({ name: bucketName });
        state = String(bucket.lifecycleState ?? "LIFECYCLE_STATE_UNSPECIFIED");
      } catch (error) {
        if (!isGoogleNotFound(error)) throw error;
        results.push(pass(name, `${bucketId} is free in ${project}/${location}`));
        continue;
      }
      if (state === "DELETE_REQUESTED") {
        results.push(
          fail(
            name,
            `${bucketId} in ${project}/${location} is deleted and its id stays reserved for 7 days after deletion`,
            `gcloud logging buckets undelete ${bucketId} --location=${location} --project=${project}, then pulumi import gcp:logging/projectBucketConfig:ProjectBucketConfig <the bucket's resource name> ${bucketName} --stack ${context.config.stack}`,
          ),
        );
      } else {
        results.push(
          pass(
            name,
            `${bucketId} exists in ${project}/${location} (${state}): this stack's once deployed; on a first deploy, import it`,
          ),
        );
      }
    }
    return results.length > 0 ? results : [pass(name, "the stack declares no log bucket")];
  },
};
