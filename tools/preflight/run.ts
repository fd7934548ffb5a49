import { availabilityZones } from "./availability-zones";
import { callerIsDeployer } from "./caller-is-deployer";
import { errorName, fail, type CheckResult, type PreflightCheck, type PreflightContext } from "./check";
import { cloudTrailManagementEvents } from "./cloudtrail";
import { elasticIps } from "./elastic-ips";
import { gcpApis } from "./gcp-apis";
import { gcpLogBuckets } from "./gcp-log-buckets";
import { gcpPoolIds } from "./gcp-pool-ids";
import { lambdaConcurrency } from "./lambda-concurrency";
import { principalsMatchTheKey } from "./principals";
import { secretsProvider } from "./secrets-provider";
import { stackSecrets } from "./stack-secrets";

/** Every check, in the order the table shows them. */
export const preflightChecks: readonly PreflightCheck[] = [
  callerIsDeployer,
  principalsMatchTheKey,
  lambdaConcurrency,
  elasticIps,
  availabilityZones,
  cloudTrailManagementEvents,
  stackSecrets,
  secretsProvider,
  gcpApis,
  gcpPoolIds,
  gcpLogBuckets,
];

/** Runs one check; a call the cloud refuses (no permission, no credentials) is that check's failure, with what to grant. */
export async function runCheck(check: PreflightCheck, context: PreflightContext): Promise<CheckResult[]> {
  try {
    return await check.run(context);
  } catch (error) {
    const message = ((error as Error).message ?? String(error)).split("\n")[0] ?? "";
    const grant = check.permissions.length > 0 ? `give the caller ${check.permissions.join(", ")} (read-only) and sign in again` : "see the error";
    return [fail(check.name, `could not check: ${errorName(error)}: ${message}`, grant)];
  }
}

/** Runs the checks one after another (they are few, and a throttled account should not see a burst). */
export async function runPreflight(context: PreflightContext, checks: readonly PreflightCheck[] = preflightChecks): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) results.push(...(await runCheck(check, context)));
  return results;
}
