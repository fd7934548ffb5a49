import { metricNames, metricsNamespace, type MetricName } from "../../lambdas/contract/metrics-catalog";
import type { AlarmDefinition, Severity } from "./alarms";
import { kitMetricDimensions } from "./alarms";
import { jobsWhere } from "./job-catalog";

/**
 * Alarms on the signing path of each job that signs: a key whose address is
 * not the pinned one (the job refused to sign), KMS throttling and, when the
 * key has a replica, a failover to its region and a run that stood down for
 * an active standby (neither can happen without one).
 */
export function signerAlarms(stack: string, options: { readonly replica: boolean }): AlarmDefinition[] {
  const alarm = (
    job: (typeof signingJobs)[number],
    metric: MetricName,
    name: string,
    severity: Severity,
    description: string,
  ): AlarmDefinition => ({
    name: `${job}-${name}`,
    severity,
    description,
    namespace: metricsNamespace,
    metricName: metric,
    dimensions: kitMetricDimensions(stack, metric, job),
    statistic: "Sum",
    periodSeconds: 300,
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    treatMissingData: "notBreaching",
  });
  const signingJobs = jobsWhere((spec) => spec.uses.signer === "sign");
  return signingJobs.flatMap((job) => [
    alarm(
      job,
      metricNames.signerAddressMismatch,
      "signer-address-mismatch",
      "critical",
      `The ${job} job found another address behind its KMS key than boson-kit:signer.address and refused to sign: check KEY_ID, the key's alias and region, and the key policy.`,
    ),
    alarm(
      job,
      metricNames.kmsThrottled,
      "kms-throttled",
      "high",
      `KMS throttled the ${job} job's signing requests: raise the KMS request quota or lower the signing rate.`,
    ),
    ...(options.replica
      ? [
          alarm(
            job,
            metricNames.kmsRegionFailover,
            "kms-region-failover",
            "warning",
            `The ${job} job's signing failed over to the key's replica region: the primary region's KMS is unavailable or throttling. Check the AWS Health Dashboard; the jobs return to the primary by themselves.`,
          ),
          alarm(
            job,
            metricNames.standbyActive,
            "standby-active",
            "warning",
            `The ${job} job found the standby stack switched on (its fence alias in the replica's region) and signed nothing. If this region is healthy again, hand back (README, regional outage runbook): switch the standby off; this stack resumes by itself.`,
          ),
        ]
      : []),
  ]);
}
