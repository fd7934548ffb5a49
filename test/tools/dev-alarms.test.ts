import { describe, expect, it } from "vitest";
import { AlarmEvaluator } from "../../tools/dev/alarm-evaluator";
import type { AlarmDefinition } from "../../tools/dev/local-stack";

const lag: AlarmDefinition = {
  name: "lag",
  metricName: "SubgraphLagBlocks",
  namespace: "BosonKit",
  dimensions: { Stack: "local", service: "health" },
  statistic: "Maximum",
  period: 300,
  evaluationPeriods: 2,
  datapointsToAlarm: 2,
  threshold: 20,
  comparisonOperator: "GreaterThanThreshold",
  treatMissingData: "missing",
};
const heartbeat: AlarmDefinition = {
  ...lag,
  name: "heartbeat",
  metricName: "HealthHeartbeat",
  statistic: "Sum",
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 1,
  comparisonOperator: "LessThanThreshold",
  treatMissingData: "breaching",
};
const point = (name: string, value: number, dimensions = lag.dimensions) => ({
  namespace: "BosonKit",
  name,
  value,
  dimensions,
});
const minutes = (n: number) => n * 60_000;

describe("the dev loop's alarm evaluator (CloudWatch semantics over EMF datapoints)", () => {
  it("raises ALARM only once datapointsToAlarm periods breach, and OK when they stop", () => {
    const alarms = new AlarmEvaluator([lag]);
    alarms.record(minutes(0), [point("SubgraphLagBlocks", 30)]);
    expect(alarms.evaluate(minutes(1))).toEqual([]);
    alarms.record(minutes(5), [point("SubgraphLagBlocks", 31)]);
    expect(alarms.evaluate(minutes(6))).toEqual([{ alarm: "lag", from: "INSUFFICIENT_DATA", to: "ALARM" }]);
    alarms.record(minutes(10), [point("SubgraphLagBlocks", 3)]);
    expect(alarms.evaluate(minutes(11))).toEqual([{ alarm: "lag", from: "ALARM", to: "OK" }]);
  });

  it("matches on every dimension: another service's datapoints do not count", () => {
    const alarms = new AlarmEvaluator([lag]);
    for (const at of [0, 5])
      alarms.record(minutes(at), [point("SubgraphLagBlocks", 99, { Stack: "local", service: "watcher" })]);
    expect(alarms.evaluate(minutes(6))).toEqual([]);
    expect(alarms.state("lag")).toBe("INSUFFICIENT_DATA");
  });

  it("treats a missing datapoint as breaching when the alarm says so, in periods the loop ran", () => {
    const alarms = new AlarmEvaluator([heartbeat]);
    for (const at of [0, 5, 10]) alarms.record(minutes(at), [point("Other", 1)]);
    expect(alarms.evaluate(minutes(11))).toEqual([{ alarm: "heartbeat", from: "INSUFFICIENT_DATA", to: "ALARM" }]);
  });

  it("skips periods the loop did not run in (a time jump), instead of reading them as missing", () => {
    const alarms = new AlarmEvaluator([heartbeat]);
    alarms.record(minutes(0), [point("HealthHeartbeat", 1)]);
    alarms.record(minutes(24 * 60), [point("HealthHeartbeat", 1)]);
    alarms.evaluate(minutes(24 * 60 + 1));
    expect(alarms.state("heartbeat")).toBe("OK");
  });
});
