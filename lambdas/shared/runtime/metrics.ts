import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { metricDimensions, metricsNamespace, type JobName, type MetricName } from "../../contract";

/**
 * The jobs' metrics (EMF through Powertools Metrics) with the dimensions the
 * infra alarms match on: service = the job, Stack = the stack. Names come
 * from the shared catalogue only, so an alarm never waits on a typo.
 */
export type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

export interface JobMetrics {
  add(name: MetricName, value: number, unit?: Unit): void;
  /** Writes the buffered metrics (one EMF record) to stdout; call once at the end of a run. */
  flush(): void;
  readonly powertools: Metrics;
}

export function createJobMetrics(job: JobName, stack: string): JobMetrics {
  const metrics = new Metrics({
    namespace: metricsNamespace,
    serviceName: job,
    defaultDimensions: { [metricDimensions.stack]: stack },
  });
  return {
    powertools: metrics,
    add: (name, value, unit = MetricUnit.Count) => metrics.addMetric(name, unit, value),
    flush: () => metrics.publishStoredMetrics(),
  };
}

export { MetricUnit };
