/**
 * What `npm run dev` takes from the `local` stack: each scheduled job's
 * function environment and schedule, and every CloudWatch alarm, read from
 * the one offline evaluation of Pulumi.local.yaml (the same record the plan
 * and the tests read), so the loop runs with the thresholds and periods the
 * stack would deploy.
 */
import type { KitConfig } from "../../infra/config";
import { evaluateStack, type RecordedResource } from "../../infra/offline/evaluate";
import { rateIntervalSeconds } from "../../infra/definitions/schedule-expression";
import { environmentVariables } from "../../lambdas/contract";
import { localStackName } from "./stack-process";

export type LocalJob = {
  job: string;
  functionName: string;
  /** The function's environment as the infra declares it. */
  environment: Record<string, string>;
  scheduleExpression: string;
  intervalSeconds: number;
};

export type AlarmDefinition = {
  name: string;
  metricName: string;
  namespace: string;
  dimensions: Record<string, string>;
  statistic: "Sum" | "Minimum" | "Maximum" | "Average" | "SampleCount";
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator:
    "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
  treatMissingData: "missing" | "notBreaching" | "breaching" | "ignore";
};

export type LocalStack = {
  /** The settings of Pulumi.local.yaml the loop and its scenarios read (plain data: it crosses a process boundary). */
  config: {
    stack: string;
    configId: string;
    protocol: Pick<KitConfig["protocol"], "diamond">;
    gas: Pick<KitConfig["gas"], "expectedDailyBurnWei" | "alertRatios">;
  };
  jobs: LocalJob[];
  alarms: AlarmDefinition[];
  /** DynamoDB tables the stack declares, by their deployed names. */
  tables: string[];
};

const scheduleType = "aws:scheduler/schedule:Schedule";
const functionType = "aws:lambda/function:Function";
const alarmType = "aws:cloudwatch/metricAlarm:MetricAlarm";
const tableType = "aws:dynamodb/table:Table";

function scheduledJobs(resources: readonly RecordedResource[]): LocalJob[] {
  const functions = resources.filter((resource) => resource.type === functionType);
  return resources
    .filter((resource) => resource.type === scheduleType)
    .map((schedule) => {
      const target = schedule.inputs.target as { input: string };
      const { job } = JSON.parse(target.input) as { job: string };
      const fn = functions.find(
        (candidate) =>
          (candidate.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables?.[
            environmentVariables.serviceName
          ] === job,
      );
      if (!fn) throw new Error(`the local stack schedules ${job} but declares no function for it`);
      const expression = String(schedule.inputs.scheduleExpression);
      const intervalSeconds = rateIntervalSeconds(expression);
      if (intervalSeconds === undefined)
        throw new Error(`${job}: npm run dev runs rate(...) schedules only, not ${expression}`);
      return {
        job,
        functionName: String(fn.computed?.name ?? fn.name),
        environment: { ...(fn.inputs.environment as { variables: Record<string, string> }).variables },
        scheduleExpression: expression,
        intervalSeconds,
      };
    });
}

function alarmDefinitions(resources: readonly RecordedResource[]): AlarmDefinition[] {
  return resources
    .filter((resource) => resource.type === alarmType)
    .map((resource) => {
      const inputs = resource.inputs as Record<string, unknown>;
      if (typeof inputs.metricName !== "string")
        throw new Error(`alarm ${resource.name}: npm run dev evaluates single-metric alarms only`);
      const evaluationPeriods = Number(inputs.evaluationPeriods);
      return {
        name: resource.name,
        metricName: inputs.metricName,
        namespace: String(inputs.namespace),
        dimensions: (inputs.dimensions ?? {}) as Record<string, string>,
        statistic: inputs.statistic as AlarmDefinition["statistic"],
        period: Number(inputs.period),
        evaluationPeriods,
        datapointsToAlarm: Number(inputs.datapointsToAlarm ?? evaluationPeriods),
        threshold: Number(inputs.threshold),
        comparisonOperator: inputs.comparisonOperator as AlarmDefinition["comparisonOperator"],
        treatMissingData: (inputs.treatMissingData ?? "missing") as AlarmDefinition["treatMissingData"],
      };
    });
}

/** Evaluates Pulumi.local.yaml offline and picks out what the loop runs. */
export async function loadLocalStack(): Promise<LocalStack> {
  const evaluation = await evaluateStack(localStackName);
  const tables = evaluation.resources
    .filter((resource) => resource.type === tableType)
    .map((resource) => String(resource.computed?.name ?? resource.inputs.name ?? resource.name));
  return {
    config: {
      stack: evaluation.config.stack,
      configId: evaluation.config.configId,
      protocol: { diamond: evaluation.config.protocol.diamond },
      gas: {
        expectedDailyBurnWei: evaluation.config.gas.expectedDailyBurnWei,
        alertRatios: evaluation.config.gas.alertRatios,
      },
    },
    jobs: scheduledJobs(evaluation.resources),
    alarms: alarmDefinitions(evaluation.resources),
    tables,
  };
}
