import { ConfigError, parseKitConfig, type ConfigSource, type KitConfig } from "../../infra/config";
import { evaluateConfig } from "../../infra/offline/evaluate";
import type { ReadinessReport } from "../review/report";
import { reviewStack, type ReviewOptions } from "../review/review-stack";
import { pulumiCommands } from "./commands";
import type { SmokeReleaseRecord } from "../../lambdas/contract/release";
import { plannedRelease, releaseRefusals } from "./release-check";
import { configDifferences, resourceDifferences, type Difference, type StackSide } from "./differences";

/**
 * The promotion gate: compares the two stacks, reviews the target, and says
 * whether the promotion may go ahead. It refuses when either config does
 * not validate, the target's review has a blocking failure or rests on tests
 * that did not run on these sources, a suspicious difference is not
 * acknowledged (`--ack <id>` or `--ack-all`), or the target's planned Lambdas
 * are not the release a passing smoke run of the source stack recorded.
 * Missing sign-offs do not refuse: several (the first `pulumi up`, the
 * release's smoke run, the alert canary) can only be given after the deploy
 * this gate leads to; the gate lists them.
 */

export interface GateOptions {
  /** Ids of suspicious differences the release owner acknowledges. */
  readonly acknowledged?: readonly string[];
  readonly acknowledgeAll?: boolean;
  readonly log?: (line: string) => void;
  /** Where the target's review reads its test run, checklist document and sign-offs. */
  readonly review?: Pick<ReviewOptions, "root" | "run" | "namedTests" | "signoffs">;
  /** The source stack's latest smoke run: the target may only run the release it passed. */
  readonly smokeRecord?: SmokeReleaseRecord | undefined;
}

export interface GateResult {
  readonly allowed: boolean;
  readonly refusals: readonly string[];
  readonly config: readonly Difference[];
  readonly resources: readonly Difference[];
  readonly unacknowledged: readonly Difference[];
  readonly review: ReadinessReport | undefined;
  /** The values the target's offline evaluation made up: its report shows them as "(known after deploy)". */
  readonly fabricated: readonly string[];
  readonly commands: readonly string[];
}

async function side(source: ConfigSource, config: KitConfig): Promise<StackSide> {
  return { source, config, evaluation: await evaluateConfig(config) };
}

export async function promotionGate(
  fromSource: ConfigSource,
  toSource: ConfigSource,
  options: GateOptions = {},
): Promise<GateResult> {
  const log = options.log ?? (() => undefined);
  let from: StackSide;
  let to: StackSide;
  try {
    // Both configs are validated before either program runs: a bad config refuses at once.
    const fromConfig = parseKitConfig(fromSource);
    const toConfig = parseKitConfig(toSource);
    log(`evaluating ${fromSource.stack} and ${toSource.stack} offline...`);
    from = await side(fromSource, fromConfig);
    to = await side(toSource, toConfig);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      allowed: false,
      refusals: [error.message],
      config: [],
      resources: [],
      unacknowledged: [],
      review: undefined,
      fabricated: [],
      commands: [],
    };
  }

  const config = configDifferences(from, to);
  const resources = resourceDifferences(from, to);
  const acknowledged = new Set(options.acknowledged ?? []);
  const unacknowledged = [...config, ...resources].filter(
    (d) => !d.expected && !options.acknowledgeAll && !acknowledged.has(d.id),
  );
  const unknownAcks = [...acknowledged].filter((id) => ![...config, ...resources].some((d) => d.id === id));

  log(`reviewing ${to.config.stack}...`);
  const review = await reviewStack(to.evaluation, { source: toSource, ...options.review });
  const notRun = review.checklist.filter((item) => item.status === "evidence-not-run").map((item) => item.id);

  const refusals = [
    ...(review.summary.blocking.length > 0
      ? [
          `the ${to.config.stack} review is blocked by ${review.summary.blocking.join(", ")}: ${review.checklist
            .filter((i) => i.blocking)
            .map((i) => `${i.id} ${i.summary}`)
            .join("; ")}`,
        ]
      : []),
    ...(notRun.length > 0
      ? [
          `the tests behind ${notRun.join(", ")} did not run on these sources (${review.testRun.detail}); run \`npm test\` first`,
        ]
      : []),
    ...(unacknowledged.length > 0
      ? [
          `${unacknowledged.length} suspicious difference(s) not acknowledged: ${unacknowledged.map((d) => d.id).join(", ")}`,
        ]
      : []),
    ...(unknownAcks.length > 0 ? [`--ack names no difference: ${unknownAcks.join(", ")}`] : []),
    ...releaseRefusals(plannedRelease(to.evaluation.outputs), options.smokeRecord, from.config.stack),
  ];
  return {
    allowed: refusals.length === 0,
    refusals,
    config,
    resources,
    unacknowledged,
    review,
    fabricated: to.evaluation.fabricated,
    commands: refusals.length === 0 ? pulumiCommands(to.config) : [],
  };
}
