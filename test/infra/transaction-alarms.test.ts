/**
 * The transaction lifecycle's alarms and settings (config `transactions`):
 * each alarm's metric, statistic, threshold, period and comparison follow the
 * stack's settings, and every setting reaches either an alarm or the sending
 * jobs' TX_LIFECYCLE as the Lambda reads it, so none is silently ignored.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parseGwei } from "viem";
import { parseKitConfig } from "../../infra/config";
import { transactionAlarms, type AlarmDefinition } from "../../infra/definitions/alarms";
import { evaluateConfig, type StackEvaluation } from "../../infra/offline/evaluate";
import { readStackFile, stackSource } from "../../infra/offline/stack-file";
import { environmentVariables as env, jobNames, metricsNamespace } from "../../lambdas/contract";
import { lifecyclePolicy } from "../../lambdas/shared/chain/lifecycle/policy";
import { readJobEnvironment } from "../../lambdas/shared/runtime/environment";
import { environmentOf, evaluateCommittedStacks, jobFunction, named } from "./stack-evaluation";

const byName = (alarms: AlarmDefinition[], name: string) => {
  const found = alarms.find((alarm) => alarm.name === name);
  if (!found) throw new Error(`no alarm ${name} among ${alarms.map((alarm) => alarm.name).join(", ")}`);
  return found;
};

const schedules = { withdraw: "rate(1 hour)", health: "rate(5 minutes)", watcher: "rate(1 minute)" };

describe("transactionAlarms", () => {
  it("without settings: pending longer than the README's 10 minutes, any refusal at the fee cap, over the withdraw schedule's period", () => {
    const alarms = transactionAlarms({ stack: "staging", schedules }, "withdraw");
    expect(alarms.map((alarm) => alarm.name)).toEqual(["withdraw-tx-pending-too-long", "withdraw-tx-fee-cap"]);
    expect(byName(alarms, "withdraw-tx-pending-too-long")).toMatchObject({
      namespace: metricsNamespace,
      metricName: "TxPendingMinutes",
      dimensions: { Stack: "staging", service: "withdraw" },
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 10,
      periodSeconds: 3600,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    });
    expect(byName(alarms, "withdraw-tx-fee-cap")).toMatchObject({
      metricName: "TxFeeCapReached",
      dimensions: { Stack: "staging", service: "withdraw" },
      statistic: "Sum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      periodSeconds: 3600,
    });
    expect(byName(alarms, "withdraw-tx-fee-cap").description).toContain("500 gwei");
  });

  it("follows the settings: the pending threshold, the fee cap it names, the withdraw schedule's period", () => {
    const alarms = transactionAlarms(
      {
        stack: "production",
        schedules: { ...schedules, withdraw: "rate(30 minutes)" },
        transactions: { pendingAlarmMinutes: 25, maxFeePerGasGwei: "80" },
      },
      "withdraw",
    );
    expect(byName(alarms, "withdraw-tx-pending-too-long")).toMatchObject({ threshold: 25, periodSeconds: 1800 });
    expect(byName(alarms, "withdraw-tx-pending-too-long").description).toContain("25 minutes");
    expect(byName(alarms, "withdraw-tx-fee-cap")).toMatchObject({ threshold: 0, periodSeconds: 1800 });
    expect(byName(alarms, "withdraw-tx-fee-cap").description).toContain("80 gwei");
  });

  it("watches the smoke job's transactions over five minutes (it runs on release), and no job that does not send", () => {
    const smoke = transactionAlarms({ stack: "staging", schedules, transactions: { pendingAlarmMinutes: 3 } }, "smoke");
    expect(smoke.map((alarm) => [alarm.name, alarm.threshold, alarm.periodSeconds])).toEqual([
      ["smoke-tx-pending-too-long", 3, 300],
      ["smoke-tx-fee-cap", 0, 300],
    ]);
    expect(byName(smoke, "smoke-tx-pending-too-long").dimensions).toEqual({ Stack: "staging", service: "smoke" });
    for (const job of jobNames.filter((name) => name !== "withdraw" && name !== "smoke"))
      expect(transactionAlarms({ stack: "staging", schedules }, job)).toEqual([]);
  });
});

describe("every transactions setting reaches an alarm or the sending jobs (evaluated under mocks)", () => {
  // Each differs from its default, so a setting dropped on the way shows as the default.
  const settings = {
    stuckAfterBlocks: 7,
    stuckAfterSeconds: 95,
    bumpPercent: 31,
    maxFeePerGasGwei: "77",
    leaseSeconds: 1234,
    pendingAlarmMinutes: 42,
  };
  let evaluation: StackEvaluation;
  beforeAll(async () => {
    // Pulumi's mocks are process-global: the shared evaluation of the committed stacks goes first.
    await evaluateCommittedStacks();
    const values = structuredClone(readStackFile("staging").values) as Record<string, unknown>;
    values["boson-kit:transactions"] = settings;
    evaluation = await evaluateConfig(parseKitConfig(stackSource("staging", values)));
  });

  it("declares the alarms with the stack's threshold and period", () => {
    const alarm = (name: string) => named(evaluation, "aws:cloudwatch/metricAlarm:MetricAlarm", `alerts-${name}`);
    for (const job of ["withdraw", "smoke"]) {
      expect(alarm(`${job}-tx-pending-too-long`).inputs).toMatchObject({
        metricName: "TxPendingMinutes",
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 42,
        period: job === "withdraw" ? 3600 : 300,
      });
      expect(alarm(`${job}-tx-fee-cap`).inputs).toMatchObject({
        metricName: "TxFeeCapReached",
        statistic: "Sum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
      });
    }
  });

  it("gives the sending jobs the rest, and their policy reads every value", () => {
    for (const job of ["withdraw", "smoke"] as const) {
      const variables = environmentOf(jobFunction(evaluation, job));
      expect(variables[env.txLifecycle], `${job} has no ${env.txLifecycle}`).toBeDefined();
      const parsed = readJobEnvironment(variables)[env.txLifecycle];
      expect(lifecyclePolicy(parsed)).toEqual({
        stuckAfterBlocks: 7,
        stuckAfterSeconds: 95,
        bumpPercent: 31,
        maxFeePerGasWei: parseGwei("77"),
        leaseSeconds: 1234,
      });
    }
  });
});
