import { describe, expect, it } from "vitest";
import { periodForSchedule } from "../../infra/definitions/alarms";
import { rateIntervalSeconds } from "../../infra/definitions/schedule-expression";
import type { RecordedResource, StackEvaluation } from "../../infra/offline/evaluate";
import { jobNames, metricNames, metricsNamespace } from "../../lambdas/contract";
import {
  committedStacks,
  committedStackEvaluations,
  jobFunction,
  keyType,
  named,
  ofType,
  resolve,
  servicePrincipals,
  keyPolicy,
  grants,
} from "./stack-evaluation";

const stacks = committedStackEvaluations();

const alarmType = "aws:cloudwatch/metricAlarm:MetricAlarm";
const alarm = (evaluation: StackEvaluation, name: string) => named(evaluation, alarmType, `alerts-${name}`);
const dimensionsOf = (resource: RecordedResource) => resource.inputs.dimensions as Record<string, string>;

describe.each(committedStacks)("alerts in %s (B3, H3, H5, O6)", (stack) => {
  it("sends alerts to an encrypted SNS topic that CloudWatch may publish to", () => {
    const evaluation = stacks[stack];
    const topic = named(evaluation, "aws:sns/topic:Topic", "alerts-topic");
    const key = resolve(evaluation, topic.inputs.kmsMasterKeyId);
    expect(key.type).toBe(keyType);
    const cloudwatchMayEncrypt = keyPolicy(key).some(
      (statement) =>
        servicePrincipals(statement).includes("cloudwatch.amazonaws.com") && grants(statement, "kms:GenerateDataKey"),
    );
    expect(cloudwatchMayEncrypt).toBe(true);
    expect(evaluation.outputs.alertsTopicArn).toBe(topic.computed?.arn);
  });

  it("subscribes exactly the config's emails and https endpoints", () => {
    const evaluation = stacks[stack];
    const topicArn = named(evaluation, "aws:sns/topic:Topic", "alerts-topic").computed?.arn;
    const subscriptions = ofType(evaluation, "aws:sns/topicSubscription:TopicSubscription");
    for (const subscription of subscriptions) expect(subscription.inputs.topic).toBe(topicArn);
    const byProtocol = (protocol: string) =>
      subscriptions.filter((s) => s.inputs.protocol === protocol).map((s) => s.inputs.endpoint);
    expect(byProtocol("email")).toEqual(evaluation.config.alerts.emails);
    expect(byProtocol("https")).toEqual(evaluation.config.alerts.httpsEndpoints);
    expect(subscriptions).toHaveLength(
      evaluation.config.alerts.emails.length + evaluation.config.alerts.httpsEndpoints.length,
    );
  });

  it("raises three gas alarms at the configured ratios of the daily burn, with rising severity", () => {
    const evaluation = stacks[stack];
    const { expectedDailyBurnWei, alertRatios } = evaluation.config.gas;
    const severities = ["warning", "high", "critical"];
    alertRatios.forEach((ratio, index) => {
      const gas = alarm(evaluation, `gas-balance-${severities[index]}`);
      expect(gas.inputs.metricName).toBe(metricNames.gasBalanceWei);
      expect(gas.inputs.namespace).toBe(metricsNamespace);
      expect(gas.inputs.comparisonOperator).toBe("LessThanThreshold");
      expect(gas.inputs.threshold).toBe(Number(expectedDailyBurnWei) * ratio);
      expect(dimensionsOf(gas)).toEqual({ Stack: stack, service: "health" });
      expect(gas.inputs.tags).toEqual({ Severity: severities[index] });
    });
  });

  it("alarms when the subgraph lags more than the configured blocks", () => {
    const evaluation = stacks[stack];
    const lag = alarm(evaluation, "subgraph-lag");
    expect(lag.inputs.metricName).toBe(metricNames.subgraphLagBlocks);
    expect(lag.inputs.comparisonOperator).toBe("GreaterThanThreshold");
    expect(lag.inputs.threshold).toBe(evaluation.config.subgraph.maxLagBlocks);
  });

  it("alarms on a paused region, a raised dispute, a dispute open over a day, a DiamondCut and a deep reorg", () => {
    const evaluation = stacks[stack];
    const expected: [string, string, string][] = [
      ["protocol-paused", metricNames.pausedRegions, "health"],
      ["dispute-raised", metricNames.disputeRaised, "watcher"],
      ["dispute-open-over-one-day", metricNames.disputesOpenOverOneDay, "watcher"],
      ["diamond-cut", metricNames.diamondCutSeen, "watcher"],
      ["deep-reorg", metricNames.deepReorgSeen, "watcher"],
    ];
    for (const [name, metric, emitter] of expected) {
      const found = alarm(evaluation, name);
      expect(found.inputs.metricName, name).toBe(metric);
      expect(found.inputs.comparisonOperator, name).toBe("GreaterThanThreshold");
      expect(found.inputs.threshold, name).toBe(0);
      expect(dimensionsOf(found), name).toEqual({ Stack: stack, service: emitter });
    }
  });

  it("alarms on a reserve shortfall, a seller account mismatch or change, a near dispute deadline and subgraph indexing errors", () => {
    const evaluation = stacks[stack];
    const expected: [string, string, string, string][] = [
      ["reserve-shortfall", metricNames.reserveShortfall, "withdraw", "high"],
      ["seller-account-mismatch", metricNames.sellerAccountMismatch, "withdraw", "critical"],
      ["seller-account-changed", metricNames.sellerAccountChanged, "watcher", "high"],
      ["dispute-deadline-near", metricNames.disputeDeadlineNear, "watcher", "high"],
      ["subgraph-indexing-errors", metricNames.subgraphIndexingErrors, "health", "high"],
    ];
    for (const [name, metric, emitter, severity] of expected) {
      const found = alarm(evaluation, name);
      expect(found.inputs.metricName, name).toBe(metric);
      expect(found.inputs.comparisonOperator, name).toBe("GreaterThanThreshold");
      expect(found.inputs.threshold, name).toBe(0);
      expect(dimensionsOf(found), name).toEqual({ Stack: stack, service: emitter });
      expect(found.inputs.tags, name).toEqual({ Severity: severity });
    }
  });

  it("treats a missing health heartbeat as breaching, over three health runs", () => {
    const evaluation = stacks[stack];
    const heartbeat = alarm(evaluation, "health-heartbeat-missing");
    expect(heartbeat.inputs.metricName).toBe(metricNames.healthHeartbeat);
    expect(heartbeat.inputs.treatMissingData).toBe("breaching");
    expect(heartbeat.inputs.comparisonOperator).toBe("LessThanThreshold");
    expect(heartbeat.inputs.period).toBe(periodForSchedule(evaluation.config.schedules.health));
    expect(heartbeat.inputs.evaluationPeriods).toBe(3);
  });

  it.each(jobNames)("alarms on the %s job's Lambda errors, failed runs and dead letters", (job) => {
    const evaluation = stacks[stack];
    const fn = jobFunction(evaluation, job);
    expect(dimensionsOf(alarm(evaluation, `${job}-errors`))).toEqual({ FunctionName: fn.computed?.name });
    expect(alarm(evaluation, `${job}-errors`).inputs.namespace).toBe("AWS/Lambda");
    expect(dimensionsOf(alarm(evaluation, `${job}-failed-runs`))).toEqual({ Stack: stack, service: job });
    const queue = resolve(evaluation, (fn.inputs.deadLetterConfig as { targetArn: string }).targetArn);
    const deadLetters = alarm(evaluation, `${job}-dead-letters`);
    expect(deadLetters.inputs.namespace).toBe("AWS/SQS");
    expect(deadLetters.inputs.metricName).toBe("ApproximateNumberOfMessagesVisible");
    expect(dimensionsOf(deadLetters)).toEqual({ QueueName: queue.computed?.name });
  });

  it("gives every alarm the topic as its action, and reads only metrics from the contract", () => {
    const evaluation = stacks[stack];
    const topicArn = named(evaluation, "aws:sns/topic:Topic", "alerts-topic").computed?.arn;
    const alarms = ofType(evaluation, alarmType);
    expect(alarms.length).toBeGreaterThanOrEqual(9 + 3 * jobNames.length);
    const known = new Set<string>(Object.values(metricNames));
    for (const found of alarms) {
      expect(found.inputs.alarmActions, found.name).toEqual([topicArn]);
      if (found.inputs.namespace === metricsNamespace)
        expect(known.has(String(found.inputs.metricName)), found.name).toBe(true);
    }
  });
});

describe.each(committedStacks)("dashboard in %s (B2)", (stack) => {
  interface Widget {
    properties: {
      title: string;
      metrics: (string | Record<string, unknown>)[][];
      annotations?: { horizontal: { value: number }[] };
    };
  }
  const widgetsOf = (evaluation: StackEvaluation): Widget[] =>
    (
      JSON.parse(
        String(named(evaluation, "aws:cloudwatch/dashboard:Dashboard", "dashboard-dashboard").inputs.dashboardBody),
      ) as { widgets: Widget[] }
    ).widgets;
  const metricsIn = (widget: Widget | undefined) => (widget?.properties.metrics ?? []).map((line) => line[1]);

  it("shows open exchanges, redemption and dispute rates, time to completion, gas spent and balance, lag and job outcomes", () => {
    const widgets = widgetsOf(stacks[stack]);
    const byTitle = (prefix: string) => widgets.find((widget) => widget.properties.title.startsWith(prefix));
    expect(metricsIn(byTitle("Open exchanges"))).toContain(metricNames.openExchanges);
    expect(metricsIn(byTitle("Redemption rate"))).toContain(metricNames.redemptionRate);
    expect(metricsIn(byTitle("Dispute rate"))).toContain(metricNames.disputeRate);
    expect(metricsIn(byTitle("Time to completion"))).toContain(metricNames.timeToCompletionSeconds);
    expect(metricsIn(byTitle("Gas spent"))).toContain(metricNames.gasSpentWei);
    expect(metricsIn(byTitle("Gas balance"))).toContain(metricNames.gasBalanceWei);
    expect(metricsIn(byTitle("Subgraph lag"))).toContain(metricNames.subgraphLagBlocks);
    expect(new Set(metricsIn(byTitle("Job outcomes")))).toEqual(
      new Set([metricNames.jobSucceeded, metricNames.jobTransient, metricNames.jobFailed]),
    );
  });

  it("reads the contract's namespace, names and the stack's dimension on every line", () => {
    const known = new Set<string>(Object.values(metricNames));
    for (const widget of widgetsOf(stacks[stack])) {
      for (const line of widget.properties.metrics) {
        expect(line[0]).toBe(metricsNamespace);
        expect(known.has(String(line[1])), String(line[1])).toBe(true);
        expect(line.slice(2, 4)).toEqual(["Stack", stack]);
      }
    }
  });

  it("draws the gas alarm thresholds on the balance graph", () => {
    const evaluation = stacks[stack];
    const balance = widgetsOf(evaluation).find((widget) => widget.properties.title.startsWith("Gas balance"));
    const expected = evaluation.config.gas.alertRatios.map(
      (ratio) => Number(evaluation.config.gas.expectedDailyBurnWei) * ratio,
    );
    expect(balance?.properties.annotations?.horizontal.map((line) => line.value)).toEqual(expected);
  });
});

describe("schedule periods", () => {
  it("reads rate expressions in seconds and leaves cron to the caller", () => {
    expect(rateIntervalSeconds("rate(1 minute)")).toBe(60);
    expect(rateIntervalSeconds("rate(5 minutes)")).toBe(300);
    expect(rateIntervalSeconds("rate(2 hours)")).toBe(7200);
    expect(rateIntervalSeconds("rate(1 day)")).toBe(86_400);
    expect(rateIntervalSeconds("cron(0 * * * ? *)")).toBeUndefined();
  });

  it("spans one run in whole minutes, an hour for cron", () => {
    expect(periodForSchedule("rate(1 minute)")).toBe(60);
    expect(periodForSchedule("rate(5 minutes)")).toBe(300);
    expect(periodForSchedule("cron(0 * * * ? *)")).toBe(3600);
    expect(periodForSchedule("rate(7 days)")).toBe(86_400);
  });
});
