import { beforeAll, describe, expect, it } from "vitest";
import { parseKitConfig } from "../../infra/config";
import { evaluateProgram, type StackEvaluation } from "../../infra/offline/evaluate";
import { readStackFile, stackSource } from "../../infra/offline/stack-file";
import { kitProgram } from "../../infra/program";
import { knownAfterDeploy } from "../../infra/components/standby-signer";
import { environmentVariables } from "../../lambdas/contract/environment";
import { evaluateStack as planStack } from "../../infra/offline/evaluate";
import { named, ofType } from "./stack-evaluation";

const variables = (evaluation: StackEvaluation, job: string) =>
  (
    named(evaluation, "aws:lambda/function:Function", `${job}-job-function`).inputs.environment as {
      variables: Record<string, string>;
    }
  ).variables;

describe("the committed production standby stack (evaluated under mocks)", () => {
  let standby: StackEvaluation;
  beforeAll(async () => {
    standby = await planStack("production-standby");
  });

  it("runs in the replica's region, declares no key of its own, and signs with the primary's replica", () => {
    const production = readStackFile("production").values["boson-kit:signer"] as { replicaRegion: string };
    expect(standby.config.aws.region).toBe(production.replicaRegion);
    expect(ofType(standby, "aws:kms/key:Key").filter((key) => key.inputs.keyUsage === "SIGN_VERIFY")).toEqual([]);
    expect(ofType(standby, "aws:kms/replicaKey:ReplicaKey")).toEqual([]);
    expect(ofType(standby, "boson-kit:signer:StandbySigner").map((component) => component.name)).toEqual([
      "standby-signer",
    ]);
    // Offline the primary stack has no outputs: the key is shown as unknown, never invented.
    expect(variables(standby, "withdraw")[environmentVariables.keyId]).toBe(knownAfterDeploy);
  });

  it("declares every schedule DISABLED until standby.active, and silences the missing-heartbeat page meanwhile", () => {
    const schedules = ofType(standby, "aws:scheduler/schedule:Schedule");
    expect(schedules.length).toBeGreaterThanOrEqual(3);
    for (const schedule of schedules) expect(schedule.inputs.state, schedule.name).toBe("DISABLED");
    expect(
      named(standby, "aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-health-heartbeat-missing").inputs.actionsEnabled,
    ).toBe(false);
    expect(
      named(standby, "aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-withdraw-errors").inputs.actionsEnabled,
    ).toBe(true);
    expect(standby.outputs.standby).toEqual({ primaryStack: "production", active: false, region: "eu-central-1" });
  });

  it("switches on with one config change: the schedules run, signing the replica ARN it was given", async () => {
    const values = structuredClone(readStackFile("production-standby").values) as Record<string, unknown>;
    const replicaKeyArn = "arn:aws:kms:eu-central-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef";
    values["boson-kit:standby"] = { primaryStack: "production", active: true, replicaKeyArn };
    const active = await evaluateProgram(parseKitConfig(stackSource("production-standby", values)), kitProgram);
    for (const schedule of ofType(active, "aws:scheduler/schedule:Schedule"))
      expect(schedule.inputs.state, schedule.name).toBe("ENABLED");
    expect(variables(active, "withdraw")[environmentVariables.keyId]).toBe(replicaKeyArn);
    expect(
      named(active, "aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-health-heartbeat-missing").inputs.actionsEnabled,
    ).toBe(true);
  });

  it("keeps the primary stacks' schedules enabled", async () => {
    const production = await planStack("production");
    for (const schedule of ofType(production, "aws:scheduler/schedule:Schedule"))
      expect(schedule.inputs.state).toBe("ENABLED");
  });
});
