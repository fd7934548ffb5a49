/**
 * Evaluates the stack's CloudWatch alarm definitions against the datapoints
 * the jobs printed (EMF), the way CloudWatch does: per period, the alarm's
 * statistic over the matching datapoints, compared with the threshold; ALARM
 * when at least datapointsToAlarm of the last evaluationPeriods periods
 * breach, missing periods treated as treatMissingData says. A period counts
 * only if the loop was running in it: a time jump skips periods the way a
 * paused machine would, instead of reading them as missing data.
 */
import type { AlarmDefinition } from "./local-stack";
import type { EmfDatapoint } from "./job-process";

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";
export type Transition = { alarm: string; from: AlarmState; to: AlarmState };
type Stored = EmfDatapoint & { at: number };

const statistics: Record<AlarmDefinition["statistic"], (values: number[]) => number> = {
  Sum: (values) => values.reduce((a, b) => a + b, 0),
  Minimum: (values) => Math.min(...values),
  Maximum: (values) => Math.max(...values),
  Average: (values) => values.reduce((a, b) => a + b, 0) / values.length,
  SampleCount: (values) => values.length,
};

function breaches(alarm: AlarmDefinition, value: number): boolean {
  switch (alarm.comparisonOperator) {
    case "GreaterThanThreshold":
      return value > alarm.threshold;
    case "GreaterThanOrEqualToThreshold":
      return value >= alarm.threshold;
    case "LessThanThreshold":
      return value < alarm.threshold;
    case "LessThanOrEqualToThreshold":
      return value <= alarm.threshold;
  }
}

const sameDimensions = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([key, value]) => b[key] === value);

export class AlarmEvaluator {
  private readonly datapoints: Stored[] = [];
  private readonly awake = new Set<number>();
  private readonly states = new Map<string, AlarmState>();

  constructor(private readonly alarms: readonly AlarmDefinition[]) {
    for (const alarm of alarms) this.states.set(alarm.name, "INSUFFICIENT_DATA");
  }

  /** Records datapoints at virtual time `at` (ms) and marks that moment as one the loop ran in. */
  record(at: number, datapoints: readonly EmfDatapoint[]): void {
    this.awake.add(Math.floor(at / 1000));
    for (const datapoint of datapoints) this.datapoints.push({ ...datapoint, at });
  }

  state(name: string): AlarmState | undefined {
    return this.states.get(name);
  }

  /** Evaluates every alarm at virtual time `now` (ms) and returns the state changes. */
  evaluate(now: number): Transition[] {
    const transitions: Transition[] = [];
    for (const alarm of this.alarms) {
      const next = this.evaluateOne(alarm, now);
      const previous = this.states.get(alarm.name) ?? "INSUFFICIENT_DATA";
      if (next !== undefined && next !== previous) {
        this.states.set(alarm.name, next);
        transitions.push({ alarm: alarm.name, from: previous, to: next });
      }
    }
    return transitions;
  }

  private evaluateOne(alarm: AlarmDefinition, now: number): AlarmState | undefined {
    const periodMs = alarm.period * 1000;
    const current = Math.floor(now / periodMs);
    const awakePeriods = [...new Set([...this.awake].map((second) => Math.floor((second * 1000) / periodMs)))]
      .filter((period) => period <= current)
      .sort((a, b) => b - a)
      .slice(0, alarm.evaluationPeriods);
    let breaching = 0;
    let evaluated = 0;
    for (const period of awakePeriods) {
      const values = this.datapoints
        .filter(
          (point) =>
            Math.floor(point.at / periodMs) === period &&
            point.namespace === alarm.namespace &&
            point.name === alarm.metricName &&
            sameDimensions(point.dimensions, alarm.dimensions),
        )
        .map((point) => point.value);
      if (values.length === 0) {
        if (alarm.treatMissingData === "breaching") breaching++;
        if (alarm.treatMissingData === "breaching" || alarm.treatMissingData === "notBreaching") evaluated++;
        continue;
      }
      evaluated++;
      if (breaches(alarm, statistics[alarm.statistic](values))) breaching++;
    }
    if (evaluated === 0) return undefined;
    // Not enough periods yet to reach ALARM, and none breaching: OK; otherwise wait for more data.
    if (breaching >= alarm.datapointsToAlarm) return "ALARM";
    return breaching === 0 || awakePeriods.length >= alarm.evaluationPeriods ? "OK" : undefined;
  }
}
