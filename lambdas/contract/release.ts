import * as v from "valibot";

/**
 * What makes two deployments of a Lambda the same release, and the record the
 * smoke job leaves for the promotion gate. Shared by infra (which tags each
 * function with its identity and hands the smoke job the whole release), the
 * smoke job (which records what it ran against) and `npm run promote` (which
 * refuses a production plan whose identities differ from a passing staging
 * run's). valibot, as the jobs' environment check: every job bundle includes
 * this module.
 */

/** The parts of a function that do not vary per stack: if any differs, it is another release. */
export const releaseIdentitySchema = v.object({
  /** SHA-256 (hex) of the bundled `index.js`. */
  bundleSha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  /** SHA-256 (hex) of package-lock.json: every dependency version the bundle could contain. */
  lockfileSha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  runtime: v.pipe(v.string(), v.minLength(1)),
  /** The pinned runtime version ARN, when the function pins one; "auto" when Lambda updates it. */
  runtimeVersion: v.pipe(v.string(), v.minLength(1)),
  architecture: v.pipe(v.string(), v.minLength(1)),
  handler: v.pipe(v.string(), v.minLength(1)),
  memorySizeMb: v.number(),
  timeoutSeconds: v.number(),
});

export type ReleaseIdentity = v.InferOutput<typeof releaseIdentitySchema>;

/** Function name (job) -> identity, for every Lambda the stack deploys. */
export const releaseSchema = v.record(v.string(), releaseIdentitySchema);
export type Release = v.InferOutput<typeof releaseSchema>;

const smokeStepSchema = v.object({
  exchange: v.string(),
  step: v.string(),
  status: v.picklist(["passed", "failed", "skipped"]),
  blockNumber: v.optional(v.string()),
  txHash: v.optional(v.string()),
});

export const smokeReleaseRecordSchema = v.object({
  stack: v.string(),
  configId: v.string(),
  /** What the smoke job ran against: the release infra handed it. */
  release: releaseSchema,
  passed: v.boolean(),
  steps: v.array(smokeStepSchema),
  startedAt: v.string(),
  finishedAt: v.string(),
});

export type SmokeReleaseRecord = v.InferOutput<typeof smokeReleaseRecordSchema>;

/** Tag key on every kit Lambda: the digest of its release identity. */
export const releaseTagKey = "boson-kit:release";

/** The DynamoDB key under which the smoke job stores its latest record for a stack. */
export const smokeRecordKey = (stack: string) => `smoke-release#${stack}`;
