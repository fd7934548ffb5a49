import { availabilityZones } from "./availability-zones";
import { callerIsDeployer } from "./caller-is-deployer";
import { errorName, fail, type CheckResult, type PreflightCheck, type PreflightContext } from "./check";
import { cloudTrailManagementEvents } from "./cloudtrail";
import { elasticIps } from "./elastic-ips";
import { gcpApis } from "./gcp-apis";
import { gcpLogBuckets } from "./gcp-log-buckets";
import { gcpPoolIds } from "./gcp-pool-ids";
import { lambdaConcurrency } from "./lambda-concurrency";
import { pinnedSignerAddress } from "./pinned-address";
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
  pinnedSignerAddress,
  stackSecrets,
  secretsProvider,
  gcpApis,
  gcpPoolIds,
  gcpLogBuckets,
];

/** The fix for an error that means "not signed in", or undefined for any other error. */
export function signInFix(error: unknown): string | undefined {
  const name = errorName(error);
  const message = String((error as Error)?.message ?? "");
  if (
    name === "CredentialsProviderError" ||
    /^Expired(Token)?(Exception)?$/.test(name) ||
    /Could not load credentials|SSO session .*expired/i.test(message)
  ) {
    return "sign in to AWS as a deployer: aws sso login --profile <the deployer's profile>, then AWS_PROFILE=<that profile> npm run preflight";
  }
  if (/Could not load the default credentials|invalid_grant|reauth/i.test(message)) {
    return "sign in to Google: gcloud auth application-default login";
  }
  return undefined;
}

/** Runs one check; a call the cloud refuses (not signed in, no permission) is that check's failure, with the fix. */
export async function runCheck(check: PreflightCheck, context: PreflightContext): Promise<CheckResult[]> {
  try {
    return await check.run(context);
  } catch (error) {
    const message = ((error as Error).message ?? String(error)).split("\n")[0] ?? "";
    const grant =
      check.permissions.length > 0
        ? `give the caller ${check.permissions.join(", ")} (read-only) and sign in again`
        : "see the error";
    return [fail(check.name, `could not check: ${errorName(error)}: ${message}`, signInFix(error) ?? grant)];
  }
}

/** Runs the checks one after another (they are few, and a throttled account should not see a burst). */
export async function runPreflight(
  context: PreflightContext,
  checks: readonly PreflightCheck[] = preflightChecks,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) results.push(...(await runCheck(check, context)));
  return results;
}
