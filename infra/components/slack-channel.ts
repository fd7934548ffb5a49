import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SlackConfig } from "../slack-config";
import { assumeRolePolicy, policyJson } from "../definitions/policy-document";

export interface SlackChannelArgs {
  readonly slack: SlackConfig;
  /** The Chatbot configuration's name: unique in the account, letters, digits, - and _ only. */
  readonly configurationName: string;
  /** The alert topics Chatbot subscribes the channel to. */
  readonly topicArns: readonly pulumi.Input<string>[];
}

/** AWS's managed read-only CloudWatch policy: the channel's guardrail (without one, Chatbot applies AdministratorAccess). */
export const slackGuardrailPolicyArn = "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess";

/**
 * Alerts in a Slack channel through AWS Chatbot: a channel configuration
 * subscribed to the alert topics. The channel only receives notifications:
 * its role, assumed by Chatbot, may read CloudWatch alarms and metrics to
 * render them (AWS's "Notification permissions" template) and nothing else,
 * and the guardrail caps whatever a channel member's role could do at the
 * same read-only CloudWatch access. The Slack workspace must have been
 * authorised once in the AWS console.
 */
export class SlackChannel extends pulumi.ComponentResource {
  public readonly configurationArn: pulumi.Output<string>;
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: SlackChannelArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:alerts:SlackChannel", name, {}, opts);
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: "AWS Chatbot delivers the kit's alerts to Slack; read-only CloudWatch, no actions",
        assumeRolePolicy: assumeRolePolicy("chatbot.amazonaws.com"),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-notifications`,
      {
        role: role.id,
        policy: policyJson([
          {
            Sid: "RenderAlarmNotifications",
            Effect: "Allow",
            Action: ["cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"],
            Resource: "*",
          },
        ]),
      },
      { parent: this },
    );
    const channel = new aws.chatbot.SlackChannelConfiguration(
      `${name}-configuration`,
      {
        configurationName: args.configurationName,
        slackTeamId: args.slack.workspaceId,
        slackChannelId: args.slack.channelId,
        iamRoleArn: role.arn,
        guardrailPolicyArns: [slackGuardrailPolicyArn],
        snsTopicArns: [...args.topicArns],
        loggingLevel: args.slack.loggingLevel,
        userAuthorizationRequired: false,
      },
      { parent: this },
    );
    this.configurationArn = channel.chatConfigurationArn;
    this.roleArn = role.arn;
    this.registerOutputs({ configurationArn: this.configurationArn });
  }
}
