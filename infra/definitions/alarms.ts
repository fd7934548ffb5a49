import type * as pulumi from "@pulumi/pulumi";
import type { KitConfig } from "../config";
import {
  alertNames,
  metricDimensions,
  metricEmitter,
  metricNames,
  metricsNamespace,
  type JobName,
  transactionDefaults,
  type MetricName,
} from "../../lambdas/contract";
import { rateIntervalSeconds } from "./schedule-expression";

/**
 * Every alarm the kit raises, as plain data derived from the stack config
 * and the metrics contract (`lambdas/contract/metrics-catalog.ts`). Kept apart
 * from the resources so a reader sees all thresholds in one place.
 */

export type Severity = "info" | "warning" | "high" | "critical";

export interface AlarmDefinition {
  /** Logical name, unique in the stack: the MetricAlarm's resource name. */
  readonly name: string;
  readonly severity: Severity;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, pulumi.Input<string>>>;
  readonly statistic: "Sum" | "Maximum" | "Minimum";
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** Breaching periods (of `evaluationPeriods`) that raise the alarm; all of them when unset. */
  readonly datapointsToAlarm?: number;
  readonly comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
  readonly threshold: number;
  readonly treatMissingData: "breaching" | "notBreaching" | "missing";
}

export interface AlarmInputs {
  readonly stack: string;
  readonly gas: KitConfig["gas"];
  readonly subgraphMaxLagBlocks: number;
  readonly schedules: KitConfig["schedules"];
  /** The transaction lifecycle's settings (`transactions`); defaults from lambdas/contract/transactions.ts. */
  readonly transactions?: KitConfig["transactions"];
  /** Per event alert: minutes it stays raised after a page, so a burst pages once. */
  readonly cooldownMinutes?: { readonly disputeRaised: number; readonly webhookDeadLettered: number };
}

/**
 * An event alert with a cooldown: raised by one breaching period, cleared only
 * after `minutes` without one (1 of N periods), so a burst notifies once, with
 * the period's count as the alarm's value. CloudWatch caps an alarm's window at a day.
 */
export function withCooldown(alarm: AlarmDefinition, minutes: number | undefined): AlarmDefinition {
  if (minutes === undefined) return alarm;
  const periods = Math.max(
    1,
    Math.min(Math.ceil((minutes * 60) / alarm.periodSeconds), Math.floor(86_400 / alarm.periodSeconds)),
  );
  return { ...alarm, evaluationPeriods: periods, datapointsToAlarm: 1 };
}

/** The severities of the three gas alarms, in the order of the (falling) ratios. */
export const gasAlarmSeverities = ["warning", "high", "critical"] as const;

/** A CloudWatch period that spans one run of a schedule: a whole number of minutes, an hour for cron schedules. */
export function periodForSchedule(expression: string): number {
  const interval = rateIntervalSeconds(expression) ?? 3600;
  return Math.min(Math.max(60, Math.ceil(interval / 60) * 60), 86_400);
}

/** The dimensions a kit metric carries: the stack, and the job that emits it. */
export function kitMetricDimensions(stack: string, metric: MetricName, job?: JobName): Record<string, string> {
  const emitter = metricEmitter[metric];
  const service = emitter === "any" ? job : emitter;
  if (!service) throw new Error(`${metric} is emitted by every job: name the job whose ${metric} to use`);
  return { [metricDimensions.stack]: stack, [metricDimensions.job]: service };
}

/** An alarm on a count: raised when it is above zero in one period; no data means nothing happened. */
function countAboveZero(
  alarm: Omit<AlarmDefinition, "evaluationPeriods" | "comparisonOperator" | "threshold" | "treatMissingData">,
): AlarmDefinition {
  return {
    ...alarm,
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    treatMissingData: "notBreaching",
  };
}

/** Alarms on the jobs' own metrics (health, watcher): gas, subgraph, pauses, disputes, upgrades, heartbeat. */
export function protocolAlarms(inputs: AlarmInputs): AlarmDefinition[] {
  const healthPeriod = periodForSchedule(inputs.schedules.health);
  const watcherPeriod = periodForSchedule(inputs.schedules.watcher);
  const kit = (metric: MetricName) => ({
    namespace: metricsNamespace,
    metricName: metric,
    dimensions: kitMetricDimensions(inputs.stack, metric),
  });

  const gasAlarms = inputs.gas.alertRatios.map((ratio, index): AlarmDefinition => {
    const severity = gasAlarmSeverities[index] ?? "critical";
    return {
      name: `gas-balance-${severity}`,
      severity,
      description: `The signer's gas balance is below ${ratio}x the expected daily burn (H5): top it up.`,
      ...kit(metricNames.gasBalanceWei),
      statistic: "Minimum",
      periodSeconds: healthPeriod,
      evaluationPeriods: 1,
      comparisonOperator: "LessThanThreshold",
      threshold: Number(inputs.gas.expectedDailyBurnWei) * ratio,
      // A silent health job raises the heartbeat alarm instead.
      treatMissingData: "missing",
    };
  });

  return [
    ...gasAlarms,
    {
      name: "subgraph-lag",
      severity: "high",
      description: `The subgraph is more than ${inputs.subgraphMaxLagBlocks} blocks behind the chain head (O6): reads may be stale.`,
      ...kit(metricNames.subgraphLagBlocks),
      statistic: "Maximum",
      periodSeconds: healthPeriod,
      evaluationPeriods: 2,
      comparisonOperator: "GreaterThanThreshold",
      threshold: inputs.subgraphMaxLagBlocks,
      treatMissingData: "missing",
    },
    {
      name: "protocol-paused",
      severity: "high",
      description: "A protocol region is paused (H2): calls into it fail until it is unpaused.",
      ...kit(metricNames.pausedRegions),
      statistic: "Maximum",
      periodSeconds: healthPeriod,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "missing",
    },
    withCooldown(
      countAboveZero({
        name: alertNames.disputeRaised,
        severity: "warning",
        description: "A buyer raised a dispute (B3): answer it before it escalates.",
        ...kit(metricNames.disputeRaised),
        statistic: "Sum",
        periodSeconds: watcherPeriod,
      }),
      inputs.cooldownMinutes?.disputeRaised,
    ),
    countAboveZero({
      name: alertNames.disputeOpenOverOneDay,
      severity: "high",
      description: "A dispute has been open for more than a day (B3).",
      ...kit(metricNames.disputesOpenOverOneDay),
      statistic: "Maximum",
      periodSeconds: watcherPeriod,
    }),
    countAboveZero({
      name: "diamond-cut",
      severity: "critical",
      description:
        "The protocol diamond was upgraded (DiamondCut, H3): check the ABIs and addresses before the next write.",
      ...kit(metricNames.diamondCutSeen),
      statistic: "Sum",
      periodSeconds: watcherPeriod,
    }),
    countAboveZero({
      name: alertNames.deepReorg,
      severity: "critical",
      description:
        "A block the watcher had counted as final was replaced (a reorg deeper than the confirmations, O3): raise confirmations and check the stored events.",
      ...kit(metricNames.deepReorgSeen),
      statistic: "Sum",
      periodSeconds: watcherPeriod,
    }),
    withCooldown(
      countAboveZero({
        name: "webhook-dead-lettered",
        severity: "warning",
        description:
          "A fulfillment webhook was dead-lettered after its retries (S5): replay it once the endpoint is back.",
        ...kit(metricNames.webhookDeadLettered),
        statistic: "Sum",
        periodSeconds: watcherPeriod,
      }),
      inputs.cooldownMinutes?.webhookDeadLettered,
    ),
    countAboveZero({
      name: "subgraph-indexing-errors",
      severity: "high",
      description:
        "The subgraph reports indexing errors (O6): its answers may be missing events; check the graph node and the subgraph's deployment.",
      ...kit(metricNames.subgraphIndexingErrors),
      statistic: "Maximum",
      periodSeconds: healthPeriod,
    }),
    countAboveZero({
      name: "seller-account-changed",
      severity: "high",
      description:
        "The seller's admin, assistant, treasury, auth token or royalty recipients changed or a change is pending, and the stack did not expect it (M3): if nobody on the team did it, follow the takeover runbook.",
      ...kit(metricNames.sellerAccountChanged),
      statistic: "Sum",
      periodSeconds: watcherPeriod,
    }),
    countAboveZero({
      name: "dispute-deadline-near",
      severity: "high",
      description:
        "A dispute deadline (its timeout, or the resolver's response period once escalated) is within a configured lead time (B3): the log record names the exchange and what the seller can still do.",
      ...kit(metricNames.disputeDeadlineNear),
      statistic: "Sum",
      periodSeconds: watcherPeriod,
    }),
    {
      name: "health-heartbeat-missing",
      severity: "critical",
      description: "The health job has not reported for three runs: nothing else is being checked.",
      ...kit(metricNames.healthHeartbeat),
      statistic: "Sum",
      periodSeconds: healthPeriod,
      evaluationPeriods: 3,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      // No data is the failure this alarm exists for.
      treatMissingData: "breaching",
    },
  ];
}

/** The jobs that send transactions, and so watch them (the transaction lifecycle's alarms). */
export const sendingJobs: readonly JobName[] = ["withdraw", "smoke"];

/**
 * The transaction lifecycle's alarms for a job that sends: a transaction
 * pending longer than `transactions.pendingAlarmMinutes` (the job reports the
 * age of the pending transaction it watches), and a send refused above
 * `transactions.maxFeePerGasGwei` (the job counts each refusal). The withdraw
 * job's span its schedule, so they stay raised until its next run shows
 * otherwise; the smoke job runs on release, so five minutes.
 */
export function transactionAlarms(
  inputs: Pick<AlarmInputs, "stack" | "schedules" | "transactions">,
  job: JobName,
): AlarmDefinition[] {
  if (!sendingJobs.includes(job)) return [];
  const periodSeconds = job === "withdraw" ? periodForSchedule(inputs.schedules.withdraw) : 300;
  const pendingMinutes = inputs.transactions?.pendingAlarmMinutes ?? transactionDefaults.pendingAlarmMinutes;
  const capGwei = inputs.transactions?.maxFeePerGasGwei ?? transactionDefaults.maxFeePerGasGwei;
  return [
    {
      ...countAboveZero({
        name: `${job}-tx-pending-too-long`,
        severity: "high",
        description: `A ${job} transaction has been pending longer than ${pendingMinutes} minutes (transactions.pendingAlarmMinutes): check the fee cap, the node and the pending item in the idempotency table.`,
        namespace: metricsNamespace,
        metricName: metricNames.txPendingMinutes,
        dimensions: kitMetricDimensions(inputs.stack, metricNames.txPendingMinutes, job),
        statistic: "Maximum",
        periodSeconds,
      }),
      threshold: pendingMinutes,
    },
    countAboveZero({
      name: `${job}-tx-fee-cap`,
      severity: "high",
      description: `A ${job} transaction needed a max fee above ${capGwei} gwei (transactions.maxFeePerGasGwei) and was not sent: raise the cap or wait for the gas spike to pass.`,
      namespace: metricsNamespace,
      metricName: metricNames.txFeeCapReached,
      dimensions: kitMetricDimensions(inputs.stack, metricNames.txFeeCapReached, job),
      statistic: "Sum",
      periodSeconds,
    }),
  ];
}

/** Money alarms of the withdraw run (M1, M3): a reserve shortfall stops sales, a changed seller account stops withdrawals. */
export function moneyAlarms(inputs: Pick<AlarmInputs, "stack" | "schedules">): AlarmDefinition[] {
  const withdrawPeriod = periodForSchedule(inputs.schedules.withdraw);
  const kit = (metric: MetricName) => ({
    namespace: metricsNamespace,
    metricName: metric,
    dimensions: kitMetricDimensions(inputs.stack, metric),
  });
  return [
    countAboveZero({
      name: "reserve-shortfall",
      severity: "high",
      description:
        "The seller's available funds are below what the active offers need (M1): buyers' commits revert with InsufficientAvailableFunds until funds are deposited.",
      ...kit(metricNames.reserveShortfall),
      statistic: "Maximum",
      periodSeconds: withdrawPeriod,
    }),
    countAboveZero({
      name: "seller-account-mismatch",
      severity: "critical",
      description:
        "The seller's treasury, admin or assistant on chain differs from the stack's config, so the withdrawal was refused (M3): follow the takeover runbook.",
      ...kit(metricNames.sellerAccountMismatch),
      statistic: "Sum",
      periodSeconds: withdrawPeriod,
    }),
  ];
}

/** Per-job alarms: the Lambda's errors, the job's own failed runs and its dead-letter queue. */
export function jobAlarms(
  stack: string,
  job: JobName,
  target: { readonly functionName: pulumi.Input<string>; readonly queueName: pulumi.Input<string> },
): AlarmDefinition[] {
  return [
    countAboveZero({
      name: `${job}-errors`,
      severity: "high",
      description: `The ${job} job's Lambda failed (an exception or a timeout): see its logs.`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: target.functionName },
      statistic: "Sum",
      periodSeconds: 300,
    }),
    countAboveZero({
      name: `${job}-failed-runs`,
      severity: "high",
      description: `The ${job} job reported a failed run (not transient): see its logs.`,
      namespace: metricsNamespace,
      metricName: metricNames.jobFailed,
      dimensions: kitMetricDimensions(stack, metricNames.jobFailed, job),
      statistic: "Sum",
      periodSeconds: 300,
    }),
    countAboveZero({
      name: `${job}-dead-letters`,
      severity: "high",
      description: `The ${job} job's dead-letter queue holds runs that failed every retry: inspect and redrive them.`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: target.queueName },
      statistic: "Maximum",
      periodSeconds: 300,
    }),
  ];
}
