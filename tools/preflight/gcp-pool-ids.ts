import { fail, isGoogleNotFound, pass, type CheckResult, type PreflightCheck } from "./check";

const name = "GCP workload identity pool id";

/**
 * A deleted pool keeps its id for 30 days (state DELETED), and creating a
 * pool under that id fails until then: the id must be free or the pool live.
 */
export const gcpPoolIds: PreflightCheck = {
  name,
  permissions: ["iam.workloadIdentityPools.get"],
  async run(context): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const { project, poolId } of context.needs.workloadIdentityPools) {
      const poolName = `projects/${project}/locations/global/workloadIdentityPools/${poolId}`;
      let state: string;
      try {
        const { data } = await context.gcp.iam.projects.locations.workloadIdentityPools.get({ name: poolName });
        state = data.state ?? "STATE_UNSPECIFIED";
      } catch (error) {
        if (!isGoogleNotFound(error)) throw error;
        results.push(pass(name, `${poolId} is free in ${project}`));
        continue;
      }
      if (state === "DELETED") {
        results.push(
          fail(
            name,
            `${poolId} in ${project} is deleted and its id stays reserved for 30 days after deletion`,
            `gcloud iam workload-identity-pools undelete ${poolId} --location=global --project=${project}, then pulumi import gcp:iam/workloadIdentityPool:WorkloadIdentityPool <the pool's resource name> ${poolName} --stack ${context.config.stack}`,
          ),
        );
      } else {
        results.push(
          pass(
            name,
            `${poolId} exists in ${project} (${state}): this stack's once deployed; on a first deploy, import it`,
          ),
        );
      }
    }
    return results.length > 0 ? results : [pass(name, "the stack declares no workload identity pool")];
  },
};
