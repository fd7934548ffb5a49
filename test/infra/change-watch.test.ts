import { beforeAll, describe, expect, it } from "vitest";
import { parseKitConfig, ConfigError } from "../../infra/config";
import type { RecordedResource, StackEvaluation } from "../../infra/offline/evaluate";
import { readStackFile } from "../../infra/offline/stack-file";
import {
  committedStackEvaluations,
  committedStacks,
  jobFunction,
  named,
  ofType,
  parsePolicy,
  resolve,
  servicePrincipals,
} from "./stack-evaluation";

const stacks = committedStackEvaluations();
const ruleType = "aws:cloudwatch/eventRule:EventRule";
const targetType = "aws:cloudwatch/eventTarget:EventTarget";

const patternOf = (rule: RecordedResource) =>
  JSON.parse(String(rule.inputs.eventPattern)) as {
    source: string[];
    "detail-type": string[];
    detail: Record<string, unknown>;
  };
const rule = (evaluation: StackEvaluation, suffix: string) => named(evaluation, ruleType, `change-watch-${suffix}`);
const nameOf = (resource: RecordedResource) => String(resource.inputs.name ?? resource.computed?.name);
const targetsOf = (evaluation: StackEvaluation, of: RecordedResource) =>
  ofType(evaluation, targetType).filter((t) => t.inputs.rule === nameOf(of));

describe.each(committedStacks)("change watch in %s", (stack) => {
  let evaluation: StackEvaluation;
  let topic: RecordedResource | undefined;
  beforeAll(() => {
    evaluation = stacks[stack];
    topic = ofType(evaluation, "aws:sns/topic:Topic")[0];
  });

  it("pages on the signer key's policy, grants, state and aliases, naming the key by id, ARN or alias", () => {
    const signer = ofType(evaluation, "aws:kms/key:Key").find((key) => key.inputs.keyUsage === "SIGN_VERIFY");
    const pattern = patternOf(rule(evaluation, "signer-key"));
    expect(pattern).toMatchObject({ source: ["aws.kms"], "detail-type": ["AWS API Call via CloudTrail"] });
    expect(pattern.detail.eventName).toEqual([
      "PutKeyPolicy",
      "CreateGrant",
      "DisableKey",
      "ScheduleKeyDeletion",
      "CreateAlias",
      "UpdateAlias",
      "DeleteAlias",
    ]);
    const named = JSON.stringify(pattern.detail.$or);
    expect(named).toContain(String(signer?.computed?.keyId));
    expect(named).toContain(String(signer?.computed?.arn));
    expect(named).toContain(`alias/boson-kit/${stack}/assistant`);
  });

  it("pages on the signing jobs' code, configuration and role changes, and on no other job's", () => {
    const jobs = patternOf(rule(evaluation, "signing-jobs"));
    const functions = jobs.detail.requestParameters as { functionName: string[] };
    for (const job of ["withdraw", "smoke"])
      expect(functions.functionName).toContain(String(jobFunction(evaluation, job).computed?.arn));
    for (const job of ["health", "watcher"])
      expect(functions.functionName).not.toContain(String(jobFunction(evaluation, job).computed?.arn));
    expect(jobs.detail.eventName).toEqual([
      { prefix: "UpdateFunctionCode" },
      { prefix: "UpdateFunctionConfiguration" },
    ]);
    const roles = patternOf(rule(evaluation, "signing-roles"));
    expect(roles.source).toEqual(["aws.iam"]);
    expect(roles.detail.eventName).toEqual(
      expect.arrayContaining(["PutRolePolicy", "AttachRolePolicy", "UpdateAssumeRolePolicy"]),
    );
    const roleNames = (roles.detail.requestParameters as { roleName: string[] }).roleName;
    expect(roleNames).toHaveLength(2);
    expect(roleNames).toEqual([
      nameOf(named(evaluation, "aws:iam/role:Role", "withdraw-job-role")),
      nameOf(named(evaluation, "aws:iam/role:Role", "smoke-job-role")),
    ]);
  });

  it("pages on either secret's resource policy", () => {
    const pattern = patternOf(rule(evaluation, "secret-policies"));
    expect(pattern.detail.eventName).toEqual(["PutResourcePolicy", "DeleteResourcePolicy"]);
    const ids = (pattern.detail.requestParameters as { secretId: string[] }).secretId;
    for (const secret of ofType(evaluation, "aws:secretsmanager/secret:Secret"))
      expect(ids).toContain(String(secret.computed?.arn));
  });

  it("sends each rule to the alert topic, which lets only this account's rules publish, and alarms when a delivery fails", () => {
    for (const suffix of ["signer-key", "secret-policies", "signing-jobs", "signing-roles"]) {
      const watched = rule(evaluation, suffix);
      expect(targetsOf(evaluation, watched).map((t) => t.inputs.arn)).toEqual([topic?.computed?.arn]);
      const alarm = named(evaluation, "aws:cloudwatch/metricAlarm:MetricAlarm", `change-watch-${suffix}-undelivered`);
      expect(alarm.inputs).toMatchObject({
        namespace: "AWS/Events",
        metricName: "FailedInvocations",
        dimensions: { RuleName: nameOf(watched) },
        alarmActions: [topic?.computed?.arn],
      });
    }
    const topicPolicy = parsePolicy(ofType(evaluation, "aws:sns/topicPolicy:TopicPolicy")[0]?.inputs.policy);
    const events = topicPolicy.find((s) => servicePrincipals(s).includes("events.amazonaws.com"));
    expect(JSON.stringify(events?.Condition)).toContain(`arn:aws:events:${evaluation.config.aws.region}:`);
    const topicKey = resolve(evaluation, topic?.inputs.kmsMasterKeyId);
    expect(parsePolicy(topicKey.inputs.policy).some((s) => servicePrincipals(s).includes("events.amazonaws.com"))).toBe(
      true,
    );
  });

  it("forwards IAM's events from us-east-1, where IAM logs them, to the stack region's bus", () => {
    const provider = named(evaluation, "pulumi:providers:aws", "change-watch-us-east-1");
    expect(provider.inputs.region).toBe("us-east-1");
    const forward = rule(evaluation, "signing-roles-forward");
    expect(forward.inputs.eventPattern).toBe(rule(evaluation, "signing-roles").inputs.eventPattern);
    const [target] = targetsOf(evaluation, forward);
    expect(target?.inputs.arn).toMatch(
      new RegExp(`^arn:aws:events:${evaluation.config.aws.region}:[0-9]{12}:event-bus/default$`),
    );
    expect(resolve(evaluation, target?.inputs.roleArn).name).toBe("change-watch-iam-forwarder-role");
  });

  it("creates a multi-region trail with global service events when the stack says the kit owns the trail", () => {
    expect(evaluation.config.changeWatch.trail).toBe("kit");
    const [trail] = ofType(evaluation, "aws:cloudtrail/trail:Trail");
    expect(trail?.inputs).toMatchObject({
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
    });
  });
});

describe("boson-kit:changeWatch", () => {
  const source = (trail: unknown) => {
    const file = readStackFile("production");
    const values = { ...file.values } as Record<string, unknown>;
    if (trail === undefined) delete values["boson-kit:changeWatch"];
    else values["boson-kit:changeWatch"] = { trail };
    return { ...file, values };
  };

  it("refuses a stack that does not say who records the management events", () => {
    expect(() => parseKitConfig(source(undefined))).toThrow(ConfigError);
    expect(() => parseKitConfig(source(undefined))).toThrow(/changeWatch.*trail: "kit" or "organization"/s);
    expect(() => parseKitConfig(source("none"))).toThrow(
      /"kit" \(the kit creates a multi-region trail\) or "organization".*us-east-1/s,
    );
  });

  it("relies on the organisation trail when told: no trail of its own, the same rules", () => {
    expect(parseKitConfig(source("organization")).changeWatch).toEqual({ trail: "organization" });
  });
});
