import { describe, expect, it } from "vitest";
import { ConfigError, parseKitConfig } from "../../infra/config";
import { slackGuardrailPolicyArn } from "../../infra/components/slack-channel";
import { evaluateProgram, type StackEvaluation } from "../../infra/offline/evaluate";
import { mockReferences } from "../../infra/policy/offline/references";
import { blockingViolations, runPolicies } from "../../infra/policy/offline/run";
import { kitPolicies } from "../../infra/policy/policies";
import { readStackFile } from "../../infra/offline/stack-file";
import { kitProgram } from "../../infra/program";
import { named, ofType, resolve } from "./stack-evaluation";

const chatbotType = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration";
// Slack's documented example ids: no real workspace.
const slack = { workspaceId: "T07EA123LEP", channelId: "C07EZ1ABC23" };

function stagingSource(alerts: Record<string, unknown>) {
  const values = structuredClone(readStackFile("staging").values) as Record<string, unknown>;
  values["boson-kit:alerts"] = { ...(values["boson-kit:alerts"] as object), ...alerts };
  return { stack: "staging", values, secretKeys: new Set<string>(), mode: "offline" as const };
}

function refused(alerts: Record<string, unknown>): string {
  try {
    parseKitConfig(stagingSource(alerts));
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return "";
}

async function mandatoryViolations(evaluation: StackEvaluation) {
  const outcomes = await runPolicies(kitPolicies, evaluation.resources, {
    references: mockReferences(evaluation.resources, evaluation.config.aws.region),
  });
  return blockingViolations(outcomes).map((violation) => violation.message);
}

describe("alerts in Slack through AWS Chatbot", () => {
  it("subscribes a channel to the alert topic with a read-only role and guardrail, leaving every other URN as it was", async () => {
    const without = await evaluateProgram(parseKitConfig(stagingSource({})), kitProgram);
    const withSlack = await evaluateProgram(parseKitConfig(stagingSource({ slack })), kitProgram);
    expect(ofType(without, chatbotType)).toEqual([]);

    const channel = named(withSlack, chatbotType, "alerts-slack-configuration");
    const topic = named(withSlack, "aws:sns/topic:Topic", "alerts-topic");
    expect(channel.inputs).toMatchObject({
      configurationName: "boson-kit-staging-alerts",
      slackTeamId: slack.workspaceId,
      slackChannelId: slack.channelId,
      snsTopicArns: [topic.computed?.arn],
      // Without a guardrail Chatbot applies AdministratorAccess to the channel.
      guardrailPolicyArns: [slackGuardrailPolicyArn],
      loggingLevel: "ERROR",
      userAuthorizationRequired: false,
    });
    expect(named(withSlack, "boson-kit:alerts:SlackChannel", "alerts-slack").parent).toBe(
      named(withSlack, "boson-kit:alerts:Alerts", "alerts").urn,
    );

    const role = resolve(withSlack, channel.inputs.iamRoleArn);
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: Record<string, unknown>[] };
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Principal: { Service: ["chatbot.amazonaws.com"] },
        Action: ["sts:AssumeRole"],
      }),
    ]);
    expect(role.inputs.managedPolicyArns ?? []).toEqual([]);
    const policies = ofType(withSlack, "aws:iam/rolePolicy:RolePolicy").filter(
      (policy) => policy.inputs.role === role.computed?.id || policy.inputs.role === role.computed?.name,
    );
    const actions = policies.flatMap(
      (policy) =>
        (JSON.parse(String(policy.inputs.policy)) as { Statement: { Effect: string; Action: string[] }[] }).Statement,
    );
    expect(actions).toEqual([expect.objectContaining({ Effect: "Allow" })]);
    // Read-only: every action is a CloudWatch Describe, Get or List.
    for (const action of actions[0]?.Action ?? []) expect(action).toMatch(/^cloudwatch:(Describe|Get|List)\*$/);

    const urns = new Set(withSlack.resources.map((resource) => resource.urn));
    expect(without.resources.filter((resource) => !urns.has(resource.urn))).toEqual([]);
    expect(withSlack.resources.length - without.resources.length).toBe(4);
    expect(await mandatoryViolations(withSlack)).toEqual(await mandatoryViolations(without));
  });

  it("accepts Slack as the only recipient, and refuses ids that are not Slack's with what to do", () => {
    expect(parseKitConfig(stagingSource({ emails: [], slack })).alerts.slack).toEqual({
      ...slack,
      loggingLevel: "ERROR",
    });
    const workspace = refused({ slack: { ...slack, workspaceId: "my-workspace" } });
    expect(workspace).toContain("boson-kit:alerts.slack.workspaceId");
    expect(workspace).toContain("authorise the Slack workspace once in the AWS Chatbot console");
    expect(refused({ slack: { ...slack, channelId: "#alerts" } })).toMatch(
      /boson-kit:alerts\.slack\.channelId.*must be the Slack channel id, such as C07EZ1ABC23/,
    );
    expect(refused({ emails: [], slack: undefined })).toContain(
      "must name at least one email, https endpoint or Slack channel",
    );
  });
});
