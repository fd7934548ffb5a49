import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { KitConfig } from "./config";
import { jobCatalog } from "./definitions/job-catalog";

/**
 * Reserved concurrency stays (withdraw = 1: the idempotency record stops two
 * runs of one window, but not a slow run overlapping the next window's).
 * Lambda refuses a reservation that would leave fewer than 100 unreserved
 * executions, and new accounts start at 10: without this check `pulumi up`
 * fails halfway, after the keys and the network exist. So, under the CLI and
 * before anything is declared, the applied quota is read and a short one
 * refused with the quota-increase command.
 */

/** Lambda's "Concurrent executions" quota (Service Quotas code). */
export const lambdaConcurrencyQuotaCode = "L-B99A9384";
/** What Lambda keeps unreserved in every account. */
export const unreservedMinimum = 100;

/** Executions the stack reserves, summed over the job catalogue. */
export function reservedByStack(): number {
  return Object.values(jobCatalog).reduce((total, spec) => total + (spec.reservedConcurrency ?? 0), 0);
}

/** Why an account with `quota` concurrent executions cannot take the stack's reservations, or undefined. */
export function concurrencyProblem(quota: number, config: KitConfig): string | undefined {
  const reserved = reservedByStack();
  const needed = reserved + unreservedMinimum;
  if (reserved === 0 || quota >= needed) return undefined;
  return (
    `the account's Lambda concurrency quota in ${config.aws.region} is ${quota}, and reserving ${reserved} for the withdraw job needs at least ${needed} ` +
    `(Lambda keeps ${unreservedMinimum} unreserved); fix: aws service-quotas request-service-quota-increase --service-code lambda ` +
    `--quota-code ${lambdaConcurrencyQuotaCode} --desired-value 1000 --region ${config.aws.region}, and deploy once it is granted`
  );
}

export async function assertConcurrencyFits(config: KitConfig): Promise<void> {
  const quota = await aws.servicequotas.getServiceQuota({
    serviceCode: "lambda",
    quotaCode: lambdaConcurrencyQuotaCode,
  });
  const problem = concurrencyProblem(quota.value, config);
  if (problem) throw new pulumi.RunError(`refusing to deploy ${config.stack}: ${problem}`);
}
