import * as v from "valibot";
import { environmentVariables } from "../../contract";
import { releaseSchema } from "../../contract/release";
import { withoutReceivedValue } from "./validation-issues";

/**
 * The jobs' side of the environment contract: each variable infra sets,
 * checked once at cold start.
 *
 * valibot rather than zod/mini: every job loads this module at each cold
 * start, and valibot's schemas are plain objects built by small functions
 * that the bundler keeps only when used, where zod builds class instances
 * from a core it bundles whole. bench/cold-start.ts measured the check at
 * about +2 ms of `require` CPU with valibot, +7 ms with zod/mini.
 */
const address = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte address"));
const decimal = v.pipe(v.string(), v.regex(/^[0-9]+$/, "must be a whole number"));
const nonEmpty = v.pipe(v.string(), v.minLength(1));
const wholeNumber = v.pipe(v.unknown(), v.toNumber(), v.integer("must be a whole number"));
const positiveInteger = v.pipe(wholeNumber, v.gtValue(0));
// WHATWG URL parsing ignores surrounding spaces, tabs and newlines: drop them so the value is the URL that parsed.
const url = v.pipe(
  v.string(),
  v.trim(),
  v.url(),
  v.transform((text: string) => text.replace(/[\t\n\r]/g, "")),
);
const json = <T extends v.GenericSchema>(schema: T) =>
  v.pipe(v.string(), v.parseJson(undefined, "must be JSON"), schema);

const jobEnvironmentSchema = v.object({
  [environmentVariables.stack]: nonEmpty,
  [environmentVariables.configId]: v.pipe(v.string(), v.regex(/^(local|testing|staging|production)-[0-9]+-[0-9]+$/)),
  [environmentVariables.chainId]: positiveInteger,
  [environmentVariables.protocolDiamond]: address,
  [environmentVariables.subgraphUrl]: url,
  [environmentVariables.confirmations]: positiveInteger,
  [environmentVariables.sellerId]: v.pipe(v.string(), v.regex(/^[1-9][0-9]*$/)),
  [environmentVariables.sellerTreasury]: address,
  [environmentVariables.sellerAdmin]: address,
  [environmentVariables.sellerTokens]: json(
    v.array(
      v.object({ address, symbol: v.string(), withdrawThresholdWei: decimal, reserveMarginWei: v.optional(decimal) }),
    ),
  ),
  [environmentVariables.expectedDailyBurnWei]: decimal,
  [environmentVariables.gasAlertRatios]: v.optional(json(v.array(v.pipe(v.number(), v.gtValue(0))))),
  [environmentVariables.subgraphMaxLagBlocks]: positiveInteger,
  [environmentVariables.keyId]: v.optional(nonEmpty),
  [environmentVariables.replicaKeyArn]: v.optional(
    v.pipe(v.string(), v.regex(/^arn:aws:kms:[a-z0-9-]+:[0-9]{12}:key\/.+$/, "must be a KMS key ARN")),
  ),
  [environmentVariables.standbyFenceAlias]: v.optional(
    v.pipe(v.string(), v.regex(/^alias\/[a-zA-Z0-9/_-]+$/, "must be a KMS alias name (alias/...)")),
  ),
  [environmentVariables.pinnedSignerAddress]: v.optional(address),
  [environmentVariables.rotationSignerAddress]: v.optional(address),
  [environmentVariables.rpcSecretArn]: nonEmpty,
  [environmentVariables.webhookSecretArn]: v.optional(nonEmpty),
  [environmentVariables.webhookEndpoints]: v.optional(json(v.array(url))),
  [environmentVariables.idempotencyTable]: v.optional(nonEmpty),
  [environmentVariables.eventsTable]: v.optional(nonEmpty),
  [environmentVariables.checkpointsTable]: v.optional(nonEmpty),
  [environmentVariables.relayer]: v.optional(
    json(v.object({ url, apiId: nonEmpty, ratePerSecond: v.number(), burst: v.number(), timeoutMs: v.number() })),
  ),
  [environmentVariables.txLifecycle]: v.optional(
    json(
      v.object({
        stuckAfterBlocks: v.optional(positiveInteger),
        stuckAfterSeconds: v.optional(positiveInteger),
        bumpPercent: v.optional(positiveInteger),
        maxFeePerGasGwei: v.optional(v.pipe(v.string(), v.regex(/^[0-9]+(\.[0-9]+)?$/))),
        leaseSeconds: v.optional(positiveInteger),
        pendingAlarmMinutes: v.optional(positiveInteger),
      }),
    ),
  ),
  [environmentVariables.priceFeed]: v.optional(json(v.object({ address, currency: v.string() }))),
  [environmentVariables.signerAddress]: v.optional(address),
  [environmentVariables.watcherStartBlock]: v.optional(v.pipe(v.unknown(), v.toBigint(), v.minValue(0n))),
  [environmentVariables.watcherMaxBlockRange]: v.optional(v.pipe(positiveInteger, v.maxValue(100_000))),
  [environmentVariables.watcherMaxRangesPerRun]: v.optional(v.pipe(positiveInteger, v.maxValue(1_000))),
  [environmentVariables.withdrawWindowSeconds]: v.optional(positiveInteger),
  [environmentVariables.escrowBatchSize]: v.optional(v.pipe(positiveInteger, v.maxValue(200))),
  [environmentVariables.escrowMaxPerRun]: v.optional(v.pipe(positiveInteger, v.maxValue(5_000))),
  [environmentVariables.disputeAlertLeadHours]: v.optional(json(v.array(v.pipe(v.number(), v.gtValue(0))))),
  [environmentVariables.smokeOfferId]: v.optional(v.pipe(v.string(), v.regex(/^[1-9][0-9]*$/))),
  [environmentVariables.smokeBuyerPercent]: v.optional(v.pipe(wholeNumber, v.minValue(0), v.maxValue(10_000))),
  [environmentVariables.smokeExchangeToken]: v.optional(v.union([v.literal("free"), v.literal("native"), address])),
  [environmentVariables.release]: v.optional(json(releaseSchema)),
  [environmentVariables.releaseRecordsTable]: v.optional(nonEmpty),
});

export type JobEnvironment = v.InferOutput<typeof jobEnvironmentSchema>;

/** Reads and checks the job's environment once; the error names each bad variable. */
export function readJobEnvironment(env: NodeJS.ProcessEnv = process.env): JobEnvironment {
  const parsed = v.safeParse(jobEnvironmentSchema, env, { message: withoutReceivedValue });
  if (!parsed.success) {
    const problems = parsed.issues.map((issue) => `${v.getDotPath(issue) ?? ""}: ${issue.message}`);
    throw new Error(`the Lambda environment is incomplete (infra sets it): ${problems.join("; ")}`);
  }
  return parsed.output;
}
