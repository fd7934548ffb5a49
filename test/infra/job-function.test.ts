import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bundleJob, jobArchive } from "../../infra/build/bundle";
import { readJobEnvironment } from "../../lambdas/shared/runtime/environment";
import { jobNames } from "../../lambdas/contract";
import {
  committedStacks,
  environmentOf,
  committedStackEvaluations,
  functionType,
  grants,
  jobFunction,
  keyPolicy,
  keyType,
  named,
  ofType,
  parentOf,
  resolve,
  resourcesOf,
  rolePolicyStatements,
  servicePrincipals,
} from "./stack-evaluation";

import { asyncEventAgeSeconds } from "../../infra/components/job-function";
import { rateIntervalSeconds } from "../../infra/definitions/schedule-expression";

const stacks = committedStackEvaluations();

const scheduledJobs = ["withdraw", "health", "watcher"] as const;

describe.each(committedStacks)("scheduled jobs in %s", (stack) => {
  it("declares one Lambda per job and one for the shipper, each in its own JobFunction component", () => {
    const evaluation = stacks[stack];
    const jobFunctions = ofType(evaluation, functionType).filter(
      (fn) => parentOf(evaluation, fn)?.type === "boson-kit:jobs:JobFunction",
    );
    expect(jobFunctions.map((fn) => fn.name).sort()).toEqual(
      [...jobNames.map((job) => `${job}-job-function`), "log-pipeline-shipper-function"].sort(),
    );
    for (const job of jobNames) {
      const component = parentOf(evaluation, jobFunction(evaluation, job));
      expect(component?.type).toBe("boson-kit:jobs:JobFunction");
      expect(component?.name).toBe(`${job}-job`);
    }
  });

  it.each(jobNames)("runs %s on nodejs22.x, arm64, with active tracing and the bundled handler", async (job) => {
    const fn = jobFunction(stacks[stack], job);
    expect(fn.inputs.runtime).toBe("nodejs22.x");
    expect(fn.inputs.architectures).toEqual(["arm64"]);
    expect(fn.inputs.handler).toBe("index.handler");
    expect((fn.inputs.tracingConfig as { mode: string }).mode).toBe("Active");
    const code = fn.inputs.code as { archive?: Record<string, { sha256?: string }> };
    expect(Object.keys(code.archive ?? {}).sort()).toEqual(["index.js", "index.js.map"]);
    const built = await bundleJob(job);
    expect(code.archive?.["index.js"]?.sha256).toBe(createHash("sha256").update(built.code).digest("hex"));
  });

  it.each(jobNames)("gives %s an encrypted dead-letter queue in its own component", (job) => {
    const evaluation = stacks[stack];
    const fn = jobFunction(evaluation, job);
    const queue = resolve(evaluation, (fn.inputs.deadLetterConfig as { targetArn?: string } | undefined)?.targetArn);
    expect(queue.type).toBe("aws:sqs/queue:Queue");
    expect(queue.parent).toBe(fn.parent);
    expect(resolve(evaluation, queue.inputs.kmsMasterKeyId).type).toBe(keyType);
    // The role must be allowed to write to it, or Lambda drops the failed event.
    const role = resolve(evaluation, fn.inputs.role);
    const sends = rolePolicyStatements(evaluation, role).filter((statement) => grants(statement, "sqs:SendMessage"));
    expect(sends.flatMap(resourcesOf)).toEqual([queue.computed?.arn]);
  });

  it.each(jobNames)("sends %s's logs to an encrypted log group with the stack's retention", (job) => {
    const evaluation = stacks[stack];
    const fn = jobFunction(evaluation, job);
    const logGroup = resolve(evaluation, (fn.inputs.loggingConfig as { logGroup?: string }).logGroup, "name");
    expect(logGroup.type).toBe("aws:cloudwatch/logGroup:LogGroup");
    expect(logGroup.parent).toBe(fn.parent);
    expect(logGroup.inputs.retentionInDays).toBe(evaluation.config.logRetentionDays);
    const key = resolve(evaluation, logGroup.inputs.kmsKeyId);
    expect(key.type).toBe(keyType);
    const logsMayEncrypt = keyPolicy(key).some(
      (statement) =>
        statement.Effect === "Allow" &&
        servicePrincipals(statement).includes(`logs.${evaluation.config.aws.region}.amazonaws.com`) &&
        grants(statement, "kms:GenerateDataKey"),
    );
    expect(logsMayEncrypt).toBe(true);
  });

  it.each(jobNames)("gives %s an environment that satisfies the jobs' contract", (job) => {
    const evaluation = stacks[stack];
    const environment = environmentOf(jobFunction(evaluation, job));
    const parsed = readJobEnvironment(environment);
    expect(parsed.CONFIG_ID).toBe(evaluation.config.configId);
    expect(parsed.CHAIN_ID).toBe(evaluation.config.chain.id);
    expect(parsed.PROTOCOL_DIAMOND).toBe(evaluation.config.protocol.diamond);
    expect(parsed.RPC_SECRET_ARN).toBe(evaluation.outputs.rpcSecretArn);
    expect(environment.POWERTOOLS_SERVICE_NAME).toBe(job);
  });

  it.each(scheduledJobs)("schedules %s as the stack config says, with retries into its dead-letter queue", (job) => {
    const evaluation = stacks[stack];
    const fn = jobFunction(evaluation, job);
    const schedule = named(evaluation, "aws:scheduler/schedule:Schedule", `${job}-job-schedule`);
    expect(schedule.inputs.scheduleExpression).toBe(evaluation.config.schedules[job]);
    const target = schedule.inputs.target as {
      arn: string;
      roleArn: string;
      retryPolicy: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };
      deadLetterConfig: { arn: string };
    };
    expect(target.arn).toBe(fn.computed?.arn);
    expect(target.retryPolicy.maximumRetryAttempts).toBeGreaterThan(0);
    expect(target.deadLetterConfig.arn).toBe((fn.inputs.deadLetterConfig as { targetArn: string }).targetArn);
    const schedulerRole = resolve(evaluation, target.roleArn);
    const invokes = rolePolicyStatements(evaluation, schedulerRole).filter((statement) =>
      grants(statement, "lambda:InvokeFunction"),
    );
    expect(invokes.flatMap(resourcesOf)).toEqual([fn.computed?.arn]);
  });

  it.each(scheduledJobs)(
    "lets the schedule be %s's retry: no Lambda async retries, no run older than one interval",
    (job) => {
      const evaluation = stacks[stack];
      const fn = jobFunction(evaluation, job);
      const invokeConfig = named(
        evaluation,
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        `${job}-job-async`,
      );
      expect(invokeConfig.inputs.functionName).toBe(fn.computed?.name ?? fn.inputs.name);
      expect(invokeConfig.inputs.maximumRetryAttempts).toBe(0);
      const interval = rateIntervalSeconds(evaluation.config.schedules[job]) ?? 3600;
      expect(invokeConfig.inputs.maximumEventAgeInSeconds).toBe(asyncEventAgeSeconds(interval));
      // Lambda's bounds, and never longer than the gap to the next run (a one-minute watcher: 60 s).
      expect(invokeConfig.inputs.maximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
      expect(invokeConfig.inputs.maximumEventAgeInSeconds).toBeLessThanOrEqual(Math.max(interval, 60));
    },
  );

  it("has no schedule for the smoke test (it runs on release)", () => {
    const schedules = ofType(stacks[stack], "aws:scheduler/schedule:Schedule")
      .map((schedule) => schedule.name)
      .sort();
    expect(schedules).toEqual(scheduledJobs.map((job) => `${job}-job-schedule`).sort());
  });

  it("runs the withdrawal job alone (reserved concurrency 1), the others unreserved", () => {
    const evaluation = stacks[stack];
    expect(jobFunction(evaluation, "withdraw").inputs.reservedConcurrentExecutions).toBe(1);
    for (const job of ["health", "watcher", "smoke"]) {
      expect(jobFunction(evaluation, job).inputs.reservedConcurrentExecutions).toBe(-1);
    }
  });
});

describe("job bundles", () => {
  it.each(jobNames)("bundles %s as minified CommonJS with a source map, under 1 MB", async (job) => {
    const built = await bundleJob(job);
    expect(built.code.length).toBeLessThan(1024 * 1024);
    expect(built.code).toMatch(/module\.exports=/);
    expect(built.code.trimEnd().endsWith("//# sourceMappingURL=index.js.map")).toBe(true);
    // Minified: thousands of characters per line on average, not one statement per line.
    expect(built.code.length / built.code.split("\n").length).toBeGreaterThan(1000);
    expect(
      JSON.parse(built.sourceMap).sources.some((source: string) => source.includes(`lambdas/${job}/handler.ts`)),
    ).toBe(true);
    const archive = await jobArchive(job);
    expect(Object.keys(await archive.assets).sort()).toEqual(["index.js", "index.js.map"]);
  });

  it("builds each job once per process", () => {
    expect(bundleJob("withdraw")).toBe(bundleJob("withdraw"));
  });
});
