import { describe, expect, it } from "vitest";
import { ConfigError, parseKitConfig } from "../../infra/config";
import { withCooldown, type AlarmDefinition } from "../../infra/definitions/alarms";
import { evaluateProgram } from "../../infra/offline/evaluate";
import { readStackFile } from "../../infra/offline/stack-file";
import { kitProgram } from "../../infra/program";
import { renderPlan } from "../../tools/plan";
import { reviewStack } from "../../tools/review";
import { renderMarkdown } from "../../tools/review/markdown";
import { passedRun } from "../tools/recorded-run";
import { committedStackEvaluations, named } from "./stack-evaluation";

const stacks = committedStackEvaluations();
// Obviously fake: the .invalid TLD never resolves.
const pagingUrl = "https://events.pagerduty.invalid/integration/not-a-real-key/enqueue";

function stagingSource(values: Record<string, unknown>, secretKeys: string[] = []) {
  const base = structuredClone(readStackFile("staging").values) as Record<string, unknown>;
  return {
    stack: "staging",
    values: { ...base, ...values },
    secretKeys: new Set(secretKeys),
    mode: "offline" as const,
  };
}

describe("paging endpoints that carry credentials", () => {
  it("subscribe SNS through a Pulumi secret, hidden from the plan and its JSON", async () => {
    const config = parseKitConfig(
      stagingSource({ "boson-kit:alertEndpoints": JSON.stringify([pagingUrl]) }, ["boson-kit:alertEndpoints"]),
    );
    const evaluation = await evaluateProgram(config, kitProgram);
    const subscription = named(evaluation, "aws:sns/topicSubscription:TopicSubscription", "alerts-secret-https-1");
    expect(subscription.inputs.endpoint).toBe(pagingUrl);
    expect(subscription.secretInputs).toContain("endpoint");
    const plan = renderPlan(evaluation);
    expect(plan).toContain("alerts-secret-https-1");
    expect(plan).not.toContain("not-a-real-key");
    expect(JSON.stringify(evaluation.outputs)).not.toContain("not-a-real-key");
    const report = await reviewStack(evaluation, { run: passedRun() });
    expect(JSON.stringify(report)).not.toContain("not-a-real-key");
    expect(renderMarkdown(report)).not.toContain("not-a-real-key");
  });

  it("are refused in plaintext, with the command that stores them as a secret", () => {
    const refused = (source: ReturnType<typeof stagingSource>) => {
      try {
        parseKitConfig(source);
      } catch (error) {
        if (error instanceof ConfigError) return error.message;
      }
      return "";
    };
    const plainSecretKey = refused(stagingSource({ "boson-kit:alertEndpoints": JSON.stringify([pagingUrl]) }));
    expect(plainSecretKey).toMatch(/boson-kit:alertEndpoints = \(plaintext, hidden\): must be a Pulumi secret/);
    expect(plainSecretKey).toContain("pulumi config set --secret boson-kit:alertEndpoints");
    const slack = "https://hooks.slack.com/services/T000/B000/not-a-real-key";
    const inAlerts = refused(
      stagingSource({ "boson-kit:alerts": { emails: ["oncall@example.com"], httpsEndpoints: [slack] } }),
    );
    expect(inAlerts).toMatch(/boson-kit:alerts\.httpsEndpoints\.0 = \(a credential URL, hidden\)/);
    expect(plainSecretKey + inAlerts).not.toContain("not-a-real-key");
  });

  it("offline, an encrypted secret declares no subscription and the plan says why", async () => {
    const config = parseKitConfig(
      stagingSource({ "boson-kit:alertEndpoints": { secure: "v1:AAAA" } }, ["boson-kit:alertEndpoints"]),
    );
    expect(config.placeholders).toContainEqual({ key: "boson-kit:alertEndpoints", reason: "encrypted" });
  });
});

describe("event alerts page once per burst", () => {
  it("stay raised for the configured cooldown: raised by one breaching period of N", () => {
    const alarm = named(stacks.production, "aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-dispute-raised");
    // Watcher every minute: a 60-minute cooldown is 60 one-minute periods, any one of which raises it.
    expect(alarm.inputs).toMatchObject({ period: 60, evaluationPeriods: 60, datapointsToAlarm: 1, statistic: "Sum" });
    expect(
      named(stacks.production, "aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-webhook-dead-lettered").inputs,
    ).toMatchObject({ evaluationPeriods: 60, datapointsToAlarm: 1 });
    // Other alarms keep N of N.
    expect(
      named(stacks.production, "aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-subgraph-lag").inputs,
    ).toMatchObject({ evaluationPeriods: 2, datapointsToAlarm: 2 });
  });

  it("caps the cooldown at CloudWatch's one-day window", () => {
    const base = { periodSeconds: 300, evaluationPeriods: 1 } as AlarmDefinition;
    expect(withCooldown(base, 24 * 60 * 3)).toMatchObject({ evaluationPeriods: 288, datapointsToAlarm: 1 });
    expect(withCooldown(base, 1)).toMatchObject({ evaluationPeriods: 1, datapointsToAlarm: 1 });
    expect(withCooldown(base, undefined)).toBe(base);
  });
});
