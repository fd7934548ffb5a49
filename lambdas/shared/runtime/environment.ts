import * as z from "zod/mini";
import { environmentVariables } from "../../contract";
import { releaseSchema } from "../../contract/release";

/**
 * The jobs' side of the environment contract: each variable infra sets,
 * checked once at cold start.
 */
const address = z.string().check(z.regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address"));
const decimal = z.string().check(z.regex(/^[0-9]+$/, "must be a whole number"));
const nonEmpty = z.string().check(z.minLength(1));
const wholeNumber = z.coerce.number().check(z.refine(Number.isInteger, "must be a whole number"));
const positiveInteger = wholeNumber.check(z.positive());
const json = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((text: string, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.issues.push({ code: "custom", message: "must be JSON", input: text });
          return z.NEVER;
        }
      }),
    ),
    schema,
  );

// zod/mini rather than zod: the same validation at a tenth of the bundle size
// (every job bundles this module, and the bundles must stay under 1 MB).
const jobEnvironmentSchema = z.object({
  [environmentVariables.stack]: nonEmpty,
  [environmentVariables.configId]: z.string().check(z.regex(/^(local|testing|staging|production)-[0-9]+-[0-9]+$/)),
  [environmentVariables.chainId]: positiveInteger,
  [environmentVariables.protocolDiamond]: address,
  [environmentVariables.subgraphUrl]: z.url(),
  [environmentVariables.confirmations]: positiveInteger,
  [environmentVariables.sellerId]: z.string().check(z.regex(/^[1-9][0-9]*$/)),
  [environmentVariables.sellerTreasury]: address,
  [environmentVariables.sellerAdmin]: address,
  [environmentVariables.sellerTokens]: json(
    z.array(
      z.object({ address, symbol: z.string(), withdrawThresholdWei: decimal, reserveMarginWei: z.optional(decimal) }),
    ),
  ),
  [environmentVariables.expectedDailyBurnWei]: decimal,
  [environmentVariables.gasAlertRatios]: z.optional(json(z.array(z.number().check(z.positive())))),
  [environmentVariables.subgraphMaxLagBlocks]: positiveInteger,
  [environmentVariables.keyId]: z.optional(nonEmpty),
  [environmentVariables.replicaKeyArn]: z.optional(
    z.string().check(z.regex(/^arn:aws:kms:[a-z0-9-]+:[0-9]{12}:key\/.+$/, "must be a KMS key ARN")),
  ),
  [environmentVariables.standbyFenceAlias]: z.optional(
    z.string().check(z.regex(/^alias\/[a-zA-Z0-9/_-]+$/, "must be a KMS alias name (alias/...)")),
  ),
  [environmentVariables.pinnedSignerAddress]: z.optional(address),
  [environmentVariables.rotationSignerAddress]: z.optional(address),
  [environmentVariables.rpcSecretArn]: nonEmpty,
  [environmentVariables.webhookSecretArn]: z.optional(nonEmpty),
  [environmentVariables.webhookEndpoints]: z.optional(json(z.array(z.url()))),
  [environmentVariables.idempotencyTable]: z.optional(nonEmpty),
  [environmentVariables.eventsTable]: z.optional(nonEmpty),
  [environmentVariables.checkpointsTable]: z.optional(nonEmpty),
  [environmentVariables.relayer]: z.optional(
    json(
      z.object({ url: z.url(), apiId: nonEmpty, ratePerSecond: z.number(), burst: z.number(), timeoutMs: z.number() }),
    ),
  ),
  [environmentVariables.txLifecycle]: z.optional(
    json(
      z.object({
        stuckAfterBlocks: z.optional(positiveInteger),
        stuckAfterSeconds: z.optional(positiveInteger),
        bumpPercent: z.optional(positiveInteger),
        maxFeePerGasGwei: z.optional(z.string().check(z.regex(/^[0-9]+(\.[0-9]+)?$/))),
        leaseSeconds: z.optional(positiveInteger),
        pendingAlarmMinutes: z.optional(positiveInteger),
      }),
    ),
  ),
  [environmentVariables.priceFeed]: z.optional(json(z.object({ address, currency: z.string() }))),
  [environmentVariables.signerAddress]: z.optional(address),
  [environmentVariables.watcherStartBlock]: z.optional(z.coerce.bigint().check(z.nonnegative())),
  [environmentVariables.watcherMaxBlockRange]: z.optional(positiveInteger.check(z.maximum(100_000))),
  [environmentVariables.watcherMaxRangesPerRun]: z.optional(positiveInteger.check(z.maximum(1_000))),
  [environmentVariables.withdrawWindowSeconds]: z.optional(positiveInteger),
  [environmentVariables.escrowBatchSize]: z.optional(positiveInteger.check(z.maximum(200))),
  [environmentVariables.escrowMaxPerRun]: z.optional(positiveInteger.check(z.maximum(5_000))),
  [environmentVariables.disputeAlertLeadHours]: z.optional(json(z.array(z.number().check(z.positive())))),
  [environmentVariables.smokeOfferId]: z.optional(z.string().check(z.regex(/^[1-9][0-9]*$/))),
  [environmentVariables.smokeBuyerPercent]: z.optional(wholeNumber.check(z.minimum(0), z.maximum(10_000))),
  [environmentVariables.smokeExchangeToken]: z.optional(z.union([z.literal("free"), z.literal("native"), address])),
  [environmentVariables.release]: z.optional(json(releaseSchema)),
  [environmentVariables.releaseRecordsTable]: z.optional(nonEmpty),
});

export type JobEnvironment = z.output<typeof jobEnvironmentSchema>;

/** Reads and checks the job's environment once; the error names each bad variable. */
export function readJobEnvironment(env: NodeJS.ProcessEnv = process.env): JobEnvironment {
  const parsed = jobEnvironmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`the Lambda environment is incomplete (infra sets it): ${problems.join("; ")}`);
  }
  return parsed.data;
}
