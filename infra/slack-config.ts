import { z } from "zod";

/**
 * `boson-kit:alerts.slack`: alert delivery to a Slack channel through AWS
 * Chatbot (Amazon Q Developer in chat applications). Neither id is a secret.
 * Chatbot delivers only to a workspace someone authorised once in the AWS
 * console; that step has no API, so the workspace id comes from there.
 */
const authoriseOnce =
  "authorise the Slack workspace once in the AWS Chatbot console (Amazon Q Developer in chat applications > Configure new client > Slack), then copy its workspace id";

export const slackConfigSchema = z.strictObject(
  {
    // AWS's SlackTeamId pattern; Slack's workspace ids start with T.
    workspaceId: z.string().regex(/^T[0-9A-Z]{1,254}$/, {
      error: `must be the Slack workspace (team) id, such as T07EA123LEP: ${authoriseOnce}`,
    }),
    // AWS's SlackChannelId pattern; public channels start with C, private ones with G.
    channelId: z.string().regex(/^[CG][0-9A-Z]{1,254}$/, {
      error:
        "must be the Slack channel id, such as C07EZ1ABC23 (in Slack: the channel's details, at the bottom of About); for a private channel, invite @aws to it first",
    }),
    loggingLevel: z
      .enum(["ERROR", "INFO", "NONE"], { error: "must be ERROR, INFO or NONE (Chatbot's delivery logs)" })
      .default("ERROR"),
  },
  { error: `must be an object with workspaceId and channelId (and optionally loggingLevel): ${authoriseOnce}` },
);

export type SlackConfig = z.output<typeof slackConfigSchema>;
