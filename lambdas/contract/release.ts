import * as z from "zod/mini";

/**
 * What makes two deployments of a Lambda the same release, and the record the
 * smoke job leaves for the promotion gate. Shared by infra (which tags each
 * function with its identity and hands the smoke job the whole release), the
 * smoke job (which records what it ran against) and `npm run promote` (which
 * refuses a production plan whose identities differ from a passing staging
 * run's). zod/mini: the smoke bundle includes this module.
 */

/** The parts of a function that do not vary per stack: if any differs, it is another release. */
export const releaseIdentitySchema = z.object({
  /** SHA-256 (hex) of the bundled `index.js`. */
  bundleSha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  /** SHA-256 (hex) of package-lock.json: every dependency version the bundle could contain. */
  lockfileSha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  runtime: z.string().check(z.minLength(1)),
  /** The pinned runtime version ARN, when the function pins one; "auto" when Lambda updates it. */
  runtimeVersion: z.string().check(z.minLength(1)),
  architecture: z.string().check(z.minLength(1)),
  handler: z.string().check(z.minLength(1)),
  memorySizeMb: z.number(),
  timeoutSeconds: z.number(),
});

export type ReleaseIdentity = z.output<typeof releaseIdentitySchema>;

/** Function name (job) -> identity, for every Lambda the stack deploys. */
export const releaseSchema = z.record(z.string(), releaseIdentitySchema);
export type Release = z.output<typeof releaseSchema>;

const smokeStepSchema = z.object({
  exchange: z.string(),
  step: z.string(),
  status: z.enum(["passed", "failed", "skipped"]),
  blockNumber: z.optional(z.string()),
  txHash: z.optional(z.string()),
});

export const smokeReleaseRecordSchema = z.object({
  stack: z.string(),
  configId: z.string(),
  /** What the smoke job ran against: the release infra handed it. */
  release: releaseSchema,
  passed: z.boolean(),
  steps: z.array(smokeStepSchema),
  startedAt: z.string(),
  finishedAt: z.string(),
});

export type SmokeReleaseRecord = z.output<typeof smokeReleaseRecordSchema>;

/** Tag key on every kit Lambda: the digest of its release identity. */
export const releaseTagKey = "boson-kit:release";

/** The DynamoDB key under which the smoke job stores its latest record for a stack. */
export const smokeRecordKey = (stack: string) => `smoke-release#${stack}`;
