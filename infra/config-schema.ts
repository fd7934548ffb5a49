import { getAddress, isAddress, zeroAddress } from "viem";
import { z } from "zod";
import { signerConfigSchema, standbyConfigSchema } from "./signer-config";
import { slackConfigSchema } from "./slack-config";
import { scheduleExpressionProblem } from "./definitions/schedule-expression";
import { smokeExchangeTokenSchema } from "./definitions/smoke-offer";

/**
 * The shape of a stack's `boson-kit:*` configuration, as written in
 * `Pulumi.<stack>.yaml` or set with `pulumi config set`. Every field carries
 * the message a user sees when it is wrong, phrased as the fix. Rules that
 * need more than one field (environment vs configId, official addresses,
 * chain minimums) live in `config.ts`, after this shape is known to hold.
 */

/** CloudWatch Logs accepts only these retention periods (days). */
export const logRetentionDays = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** A 20-byte address; mixed case must be a valid EIP-55 checksum, which catches a mistyped character. */
const address = (what: string) =>
  z
    .string({ error: `must be ${what}: a 0x-prefixed 20-byte hex address` })
    .regex(/^0x[0-9a-fA-F]{40}$/, { error: `must be ${what}: a 0x-prefixed 20-byte hex address (0x + 40 hex digits)` })
    .refine((value) => isAddress(value, { strict: true }), {
      error: `must be ${what}, but its mixed-case EIP-55 checksum does not match (a mistyped character?): copy it again`,
    });

/**
 * An address money moves to or is held by: it must carry its EIP-55 checksum
 * (an all-lowercase address hides a mistyped character).
 */
const checksummedAddress = (what: string) =>
  address(what).superRefine((value, context) => {
    if (isAddress(value, { strict: false }) && /[a-fA-F]/.test(value.slice(2)) && value !== getAddress(value)) {
      context.addIssue({
        code: "custom",
        message: `must be ${what} written with its EIP-55 checksum, ${getAddress(value)}, so a mistyped character cannot pass`,
      });
    }
  });

/** A seller address that receives or controls funds: the zero address would burn them. */
const fundsAddress = (what: string) =>
  checksummedAddress(what).refine((value) => value !== zeroAddress, {
    error: `must be ${what}; the zero address burns whatever is sent to it (the zero address means the native coin only in a token entry)`,
  });

/**
 * A positive integer amount in wei, written as a decimal string. A YAML number
 * is refused: above 2^53 it has already lost precision by the time it is read.
 */
const weiAmount = (what: string) =>
  z
    .union([z.string(), z.number()], {
      error: `must be ${what} in wei, as a decimal string such as "1000000000000000000"`,
    })
    .superRefine((value, context) => {
      if (typeof value === "number") {
        context.addIssue({
          code: "custom",
          message: `must be ${what} in wei as a quoted string: a YAML number loses precision above 2^53 (quote it, or set it with --type string)`,
          params: { fix: "wei-string" },
        });
      } else if (!/^[1-9][0-9]*$/.test(value)) {
        context.addIssue({
          code: "custom",
          message: `must be ${what} in wei: a positive whole number written as a decimal string, such as "1000000000000000000"`,
        });
      }
    })
    .transform((value) => String(value));

const positiveInteger = (what: string, max: number) =>
  z.coerce
    .number({ error: `must be ${what}: a whole number` })
    .int({ error: `must be ${what}: a whole number` })
    .min(1, { error: `must be ${what}: at least 1` })
    .max(max, { error: `must be ${what}: at most ${max}` });

const httpsUrl = (what: string) =>
  z
    .string({ error: `must be ${what}: an https:// URL` })
    .refine((value) => URL.canParse(value) && new URL(value).protocol === "https:", {
      error: `must be ${what}: an https:// URL (plain http would expose the payload in transit)`,
    })
    .refine((value) => !URL.canParse(value) || (new URL(value).username === "" && new URL(value).password === ""), {
      error: `must be ${what} without credentials in it: user:password@ in a URL lands in plaintext config, state and logs`,
    });

/** Hosts that never leave the machine: plain http to them exposes nothing in transit. */
export const loopbackHosts: readonly string[] = ["127.0.0.1", "localhost", "[::1]"];

/** True for an http:// URL to a loopback host: only a local-* configId may use one (see config.ts). */
export function isLoopbackHttpUrl(value: string): boolean {
  return URL.canParse(value) && new URL(value).protocol === "http:" && loopbackHosts.includes(new URL(value).hostname);
}

/**
 * A fulfillment endpoint: https, or http on a loopback host so a local stack
 * can deliver to a receiver on the same machine.
 */
const webhookEndpointUrl = z
  .string({ error: "must be a fulfillment webhook endpoint: an https:// URL" })
  .refine((value) => (URL.canParse(value) && new URL(value).protocol === "https:") || isLoopbackHttpUrl(value), {
    error: "must be a fulfillment webhook endpoint: an https:// URL (plain http would expose the payload in transit)",
  })
  .refine((value) => !URL.canParse(value) || (new URL(value).username === "" && new URL(value).password === ""), {
    error:
      "must be a fulfillment webhook endpoint without credentials in it: user:password@ in a URL lands in plaintext config, state and logs",
  });

/**
 * EventBridge Scheduler expressions: `rate(1 hour)`, `rate(5 minutes)` or a
 * six-field `cron(...)`, every field checked (definitions/schedule-expression.ts).
 */
const scheduleExpression = z
  .string({ error: 'must be an EventBridge Scheduler expression such as "rate(5 minutes)" or "cron(0 * * * ? *)"' })
  .superRefine((value, context) => {
    const problem = scheduleExpressionProblem(value);
    if (problem) context.addIssue({ code: "custom", message: problem });
  });

const iamPrincipalArn = z.string().regex(/^arn:aws:iam::[0-9]{12}:(role|user)\/[A-Za-z0-9+=,.@_\-/]+$/, {
  error:
    "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/key-admin (no wildcards, no account root)",
});

const principalList = (who: string, minimum: { count: number; error?: string }) =>
  z
    .array(iamPrincipalArn, { error: `must be a list of IAM role or user ARNs ${who}` })
    .min(minimum.count, { error: minimum.error ?? "" })
    .refine((arns) => new Set(arns).size === arns.length, { error: "must not list the same ARN twice" });

/** An AWS availability zone id (`euw1-az1`): the same physical zone in every account, unlike a zone name. */
export const availabilityZoneIdPattern = /^([a-z]{2,}[0-9])-az([1-8])$/;

export const sellerTokenSchema = z.strictObject(
  {
    address: checksummedAddress(
      "the token contract (0x0000000000000000000000000000000000000000 for the chain's native coin)",
    ),
    symbol: z.string().regex(/^[A-Za-z0-9.$_-]{1,16}$/, { error: "must be the token symbol, 1-16 letters or digits" }),
    withdrawThresholdWei: weiAmount("the balance at which the withdrawal job withdraws this token"),
    reserveMarginWei: weiAmount("what the withdraw job keeps on top of the reserve the active offers need").optional(),
  },
  { error: "must be an object with address, symbol, withdrawThresholdWei and optionally reserveMarginWei" },
);

export const rawKitConfigSchema = z.strictObject({
  configId: z
    .string({ error: "must be set to the Boson configId of this stack, such as staging-80002-0" })
    .regex(/^(local|testing|staging|production)-[0-9]+-[0-9]+$/, {
      error: "must be a Boson configId of the form <env>-<chainId>-<n>, such as staging-80002-0 or production-137-0",
    }),
  protocolDiamond: address("the protocol diamond (leave it unset to take it from the official table)").optional(),
  subgraphUrl: httpsUrl("the Boson subgraph (leave it unset to take it from the official table)").optional(),
  confirmations: positiveInteger("the confirmations before a change counts as final", 256).optional(),
  seller: z.strictObject(
    {
      id: z
        .union([z.string(), z.number()], { error: 'must be the seller id from the protocol, such as "42"' })
        .transform((value) => String(value))
        .refine((value) => /^[1-9][0-9]*$/.test(value), {
          error: "must be the seller id from the protocol: a positive whole number",
        }),
      admin: fundsAddress("the seller's admin, a smart account (checklist S2)"),
      treasury: fundsAddress("the seller's treasury, where withdrawals go"),
      tokens: z
        .array(sellerTokenSchema, { error: "must be a list of tokens to withdraw" })
        .min(1, { error: "must list at least one token to withdraw (checklist M1)" })
        .superRefine((tokens, context) => {
          const seen = new Set<string>();
          tokens.forEach((token, index) => {
            const address = token.address.toLowerCase();
            if (seen.has(address)) {
              context.addIssue({
                code: "custom",
                path: [index, "address"],
                message: "lists a token already listed: each token is withdrawn once, by one threshold",
              });
            }
            seen.add(address);
          });
        }),
    },
    { error: "must be an object with id, admin, treasury and tokens" },
  ),
  gas: z.strictObject(
    {
      expectedDailyBurnWei: weiAmount("the gas the signer is expected to spend per day"),
      alertRatios: z
        .tuple([z.number(), z.number(), z.number()], {
          error: "must be three ratios of the daily burn, such as [0.5, 0.2, 0.1]",
        })
        .refine(([a, b, c]) => a < 1 && a > b && b > c && c > 0, {
          error: "must be three ratios between 0 and 1 in falling order, such as [0.5, 0.2, 0.1]",
        })
        .default([0.5, 0.2, 0.1]),
    },
    { error: "must be an object with expectedDailyBurnWei (and optionally alertRatios)" },
  ),
  subgraph: z
    .strictObject({
      maxLagBlocks: positiveInteger("the subgraph lag in blocks that raises an alert", 10_000).default(20),
    })
    .default({ maxLagBlocks: 20 }),
  escrow: z
    .strictObject({
      batchSize: positiveInteger(
        "the exchanges per completeExchangeBatch / expireDisputeBatch transaction",
        200,
      ).default(20),
      maxPerRun: positiveInteger("the exchanges the withdraw run examines for escrow release", 5_000).default(200),
    })
    .default({ batchSize: 20, maxPerRun: 200 }),
  disputes: z
    .strictObject({
      alertLeadHours: z
        .array(z.number().positive({ error: "must be a positive number of hours" }), {
          error: "must be a list of hours before a dispute deadline, such as [48, 12]",
        })
        .min(1, { error: "must name at least one lead time, such as [48, 12]" })
        .default([48, 12]),
    })
    .default({ alertLeadHours: [48, 12] }),
  schedules: z
    .strictObject({
      withdraw: scheduleExpression.default("rate(1 hour)"),
      health: scheduleExpression.default("rate(5 minutes)"),
      watcher: scheduleExpression.default("rate(1 minute)"),
    })
    .default({ withdraw: "rate(1 hour)", health: "rate(5 minutes)", watcher: "rate(1 minute)" }),
  alerts: z
    .strictObject({
      emails: z.array(z.email({ error: "must be an email address" })).default([]),
      httpsEndpoints: z.array(httpsUrl("an alert subscription endpoint")).default([]),
      // After an event alert pages, it stays raised this long: a burst pages once, with the count in the alarm.
      cooldownMinutes: z
        .strictObject({
          disputeRaised: positiveInteger("the dispute alert's cooldown in minutes", 1440).default(60),
          webhookDeadLettered: positiveInteger("the dead-lettered webhook alert's cooldown in minutes", 1440).default(
            60,
          ),
        })
        .default({ disputeRaised: 60, webhookDeadLettered: 60 }),
      slack: slackConfigSchema.optional(),
    })
    .refine((alerts) => alerts.emails.length + alerts.httpsEndpoints.length > 0 || alerts.slack !== undefined, {
      error: "must name at least one email, https endpoint or Slack channel, or nobody is paged",
    }),
  kmsAdministrators: principalList("that may administer (never use) the signing keys", {
    count: 1,
    error: "must name at least one IAM ARN that may administer the signing keys (checklist M3)",
  }),
  deployers: principalList("that run `pulumi up` and `pulumi refresh` (the CI or SSO deploy role)", {
    count: 1,
    error:
      "must name the IAM role(s) that run `pulumi up`: KMS refuses to create a key its creator could not manage later",
  }),
  previewers: principalList("that may run `pulumi preview` only (pull-request previews)", { count: 0 }).default([]),
  availabilityZones: positiveInteger("the number of availability zones with a NAT gateway", 3).optional(),
  availabilityZoneIds: z
    .array(
      z.string().regex(availabilityZoneIdPattern, {
        error:
          "must be an availability zone id such as euw1-az1 (run: aws ec2 describe-availability-zones --query 'AvailabilityZones[].ZoneId')",
      }),
      {
        error: "must be a list of availability zone ids such as [euw1-az1, euw1-az2]",
      },
    )
    .min(1, { error: "must list at least one availability zone id" })
    .max(3, { error: "must list at most 3 availability zone ids" })
    .refine((ids) => new Set(ids).size === ids.length, {
      error: "must not list the same zone twice: two NAT gateways in one zone do not survive its outage",
    })
    .optional(),
  logRetentionDays: z.coerce
    .number()
    .refine((days) => (logRetentionDays as readonly number[]).includes(days), {
      error: `must be a CloudWatch retention period: one of ${logRetentionDays.join(", ")}`,
    })
    .optional(),
  gcp: z.strictObject(
    {
      project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, {
        error: "must be a GCP project id: 6-30 lowercase letters, digits or hyphens",
      }),
      region: z
        .string()
        .regex(/^[a-z]+-[a-z]+[0-9]$/, { error: "must be a GCP region such as europe-west1" })
        .default("europe-west1"),
      /**
       * Part of the log bucket, dataset and pool ids. Google keeps a deleted
       * bucket's id 7 days and a pool's 30 days: to recreate them sooner, bump it.
       */
      generation: positiveInteger("the generation of the GCP log resources' ids", 99).default(1),
      bigQueryKmsKeyName: z
        .string()
        .regex(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/, {
          error: "must be a Cloud KMS key name: projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>",
        })
        .optional(),
    },
    { error: "must be an object with project (and optionally region, bigQueryKmsKeyName)" },
  ),
  changeWatch: z.strictObject(
    {
      trail: z.enum(["kit", "organization"], {
        error:
          'must say who records the management events the change watch pages on: "kit" (the kit creates a multi-region trail) or "organization" (an organisation trail already logs this account in every region, us-east-1 included, where IAM\'s events arrive)',
      }),
    },
    {
      error:
        'must be an object with trail: "kit" or "organization" (without a trail, EventBridge receives no CloudTrail events and the change watch is blind)',
    },
  ),
  webhooks: z.strictObject({ endpoints: z.array(webhookEndpointUrl).default([]) }).default({ endpoints: [] }),
  relayer: z
    .strictObject({
      url: httpsUrl("the meta-transaction relayer").optional(),
      apiId: z
        .string({ error: "must be the relayer's api id for executeMetaTransaction on the protocol diamond" })
        .min(1, { error: "must be the relayer's api id for executeMetaTransaction on the protocol diamond" }),
      allowUnofficialUrl: z.boolean({ error: "must be true or false" }).default(false),
      ratePerSecond: positiveInteger("the relayer calls allowed per second", 1000).default(5),
      burst: positiveInteger("the relayer calls allowed in one burst", 1000).default(10),
      timeoutMs: positiveInteger("the relayer timeout in milliseconds", 60_000).default(10_000),
    })
    .optional(),
  transactions: z
    .strictObject({
      stuckAfterBlocks: positiveInteger(
        "the blocks after which a pending transaction is replaced with higher fees",
        1000,
      ).optional(),
      stuckAfterSeconds: positiveInteger(
        "the seconds after which a pending transaction is replaced with higher fees",
        3600,
      ).optional(),
      bumpPercent: positiveInteger("the fee increase per replacement in percent (at least the nodes' 10)", 100)
        .min(10, { error: "must be at least 10: nodes refuse a replacement with a smaller bump" })
        .optional(),
      maxFeePerGasGwei: z
        .string()
        .regex(/^[0-9]+(\.[0-9]+)?$/, { error: 'must be a gwei amount as a decimal string such as "500"' })
        .optional(),
      leaseSeconds: positiveInteger("the send lease's length in seconds (the longest run)", 3600).optional(),
      pendingAlarmMinutes: positiveInteger(
        "the minutes a transaction may stay pending before the alarm",
        1440,
      ).optional(),
    })
    .optional(),
  priceFeed: z
    .strictObject({
      address: address("a Chainlink-style price feed (latestRoundData) for the native coin"),
      currency: z.string().regex(/^[A-Z]{3}$/, { error: "must be an ISO 4217 currency code such as USD" }),
    })
    .optional(),
  signer: signerConfigSchema,
  standby: standbyConfigSchema,
  smoke: z
    .strictObject({
      offerId: z
        .union([z.string(), z.number()], { error: "must be the id of the known test offer the smoke job runs" })
        .transform((value) => String(value))
        .refine((value) => /^[1-9][0-9]*$/.test(value), {
          error: "must be the id of the known test offer: a positive whole number",
        }),
      buyerPercent: z.coerce
        .number()
        .int({ error: "must be the buyer's share of the smoke dispute resolution in basis points (0-10000)" })
        .min(0, { error: "must be at least 0 basis points" })
        .max(10_000, { error: "must be at most 10000 basis points (100%)" })
        .default(5_000),
      exchangeToken: smokeExchangeTokenSchema,
    })
    .optional(),
});

export type RawKitConfig = z.output<typeof rawKitConfigSchema>;
