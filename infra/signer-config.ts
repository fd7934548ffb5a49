import { isAddress } from "viem";
import { z } from "zod";
import type { ConfigIssue, StackEnvironment } from "./config-types";

/**
 * `boson-kit:signer`: where the assistant key lives and which key the jobs
 * use. Whether a KMS key is multi-Region is fixed when the key is created, so
 * every generation is a multi-Region primary key; production also needs a
 * replica in a second region (the same key material, hence the same address).
 */

const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, { error: "must be an AWS region such as eu-central-1" });
const generation = z.coerce
  .number()
  .int({ error: "must be a key generation: a whole number from 1" })
  .min(1, { error: "must be a key generation: a whole number from 1" })
  .max(99);

export const signerConfigSchema = z
  .strictObject(
    {
      replicaRegion: awsRegion.optional(),
      address: z
        .string()
        .refine((value) => isAddress(value, { strict: true }), {
          error:
            "must be the signer's Ethereum address (the assistantAddress output after the first deploy): 0x + 40 hex digits, EIP-55 checksum or lowercase",
        })
        .optional(),
      generation: generation.default(1),
      pendingGeneration: generation.optional(),
      retiredGenerations: z.array(generation).default([]),
      rotationSigners: z
        .array(z.string().regex(/^arn:aws:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_\-/]+$/), {
          error:
            "must be IAM role ARNs that may sign with the pending key only (the rotation's opt-in), such as arn:aws:iam::123456789012:role/signer-rotation",
        })
        .default([]),
      standbySigners: z
        .array(z.string().regex(/^arn:aws:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_\-/]+$/), {
          error:
            "must be the standby stack's signing job roles (its signingRoleArns output), such as arn:aws:iam::123456789012:role/withdraw-job-role-abc1234",
        })
        .default([]),
    },
    {
      error:
        "must be an object with replicaRegion, address, generation, pendingGeneration, retiredGenerations (all optional)",
    },
  )
  .default({ generation: 1, retiredGenerations: [], rotationSigners: [], standbySigners: [] });

export const standbyConfigSchema = z
  .strictObject(
    {
      primaryStack: z.string().regex(/^[a-zA-Z0-9_.-]+$/, {
        error: "must be the name of the stack this one stands in for, such as production",
      }),
      replicaKeyArn: z
        .string()
        .regex(/^arn:aws:kms:[a-z0-9-]+:[0-9]{12}:key\/mrk-[0-9a-f]{32}$/, {
          error:
            "must be the replica key ARN (the primary stack's assistantReplicaKeyArn output): arn:aws:kms:<region>:<account>:key/mrk-...",
        })
        .optional(),
      active: z.boolean({ error: "must be true or false: whether this standby's schedules run" }).default(false),
    },
    { error: "must be an object with primaryStack (and optionally replicaKeyArn, active)" },
  )
  .optional();

export type RawSignerConfig = z.output<typeof signerConfigSchema>;
export type RawStandbyConfig = z.output<typeof standbyConfigSchema>;

export interface SignerConfig {
  readonly replicaRegion?: string;
  /** The address the jobs must find behind the key (recorded after the first deploy); unset until then. */
  readonly pinnedAddress?: `0x${string}`;
  /** The key generation the jobs sign with. */
  readonly generation: number;
  /** A new key being brought in by a rotation: it exists, the jobs do not use it yet. */
  readonly pendingGeneration?: number;
  /** Old keys kept (disabled, protected) after a rotation. */
  readonly retiredGenerations: readonly number[];
  /** Roles that may sign with the pending key only, to opt it in as the seller's assistant; never the active key. */
  readonly rotationSigners: readonly string[];
  /** A standby stack's signing roles (in the replica's region): they may sign with the active key and its replica. */
  readonly standbySigners: readonly string[];
}

export interface StandbyConfig {
  readonly primaryStack: string;
  /** Unset until the primary stack has been deployed: the standby then deploys without a signer. */
  readonly replicaKeyArn?: string | undefined;
  /** Off by default: two regions must never send at once. */
  readonly active: boolean;
}

/** Every key generation the stack keeps, oldest first. */
export function keptGenerations(signer: SignerConfig): number[] {
  return [
    ...new Set([
      ...signer.retiredGenerations,
      signer.generation,
      ...(signer.pendingGeneration ? [signer.pendingGeneration] : []),
    ]),
  ].sort((a, b) => a - b);
}

export function toSignerConfig(raw: RawSignerConfig): SignerConfig {
  return {
    ...(raw.replicaRegion ? { replicaRegion: raw.replicaRegion } : {}),
    ...(raw.address ? { pinnedAddress: raw.address.toLowerCase() as `0x${string}` } : {}),
    generation: raw.generation,
    ...(raw.pendingGeneration ? { pendingGeneration: raw.pendingGeneration } : {}),
    retiredGenerations: raw.retiredGenerations,
    rotationSigners: raw.rotationSigners,
    standbySigners: raw.standbySigners,
  };
}

/** Rules across fields: production needs a replica in another region; generations must not collide. */
export function signerIssues(
  stack: string,
  environment: StackEnvironment,
  signer: RawSignerConfig,
  standby: RawStandbyConfig,
  region: unknown,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const key = "boson-kit:signer";
  const set = (path: string, value: string) => `pulumi config set --path '${key}.${path}' ${value} --stack ${stack}`;
  if (environment === "production" && standby === undefined && signer.replicaRegion === undefined) {
    issues.push({
      key: `${key}.replicaRegion`,
      value: "(unset)",
      problem:
        "a production signer needs a multi-Region replica in a second region, or a regional KMS outage stops every signature",
      fix: `${set("replicaRegion", "<another region, such as eu-central-1>")} (decide before the first deploy: a key cannot become multi-Region later)`,
    });
  }
  if (signer.replicaRegion !== undefined && signer.replicaRegion === region) {
    issues.push({
      key: `${key}.replicaRegion`,
      value: JSON.stringify(signer.replicaRegion),
      problem: "is the stack's own region (aws:region): KMS keeps a replica in a different region from its primary",
      fix: set("replicaRegion", "<a region other than aws:region>"),
    });
  }
  const pending = signer.pendingGeneration;
  if (pending !== undefined && pending <= signer.generation) {
    issues.push({
      key: `${key}.pendingGeneration`,
      value: String(pending),
      problem: `must be above the active generation ${signer.generation}: a rotation brings in a new key`,
      fix: set("pendingGeneration", String(signer.generation + 1)),
    });
  }
  for (const retired of signer.retiredGenerations) {
    if (retired >= signer.generation) {
      issues.push({
        key: `${key}.retiredGenerations`,
        value: JSON.stringify(signer.retiredGenerations),
        problem: `lists generation ${retired}, which is not older than the active generation ${signer.generation}`,
        fix: `remove ${retired} from ${key}.retiredGenerations in Pulumi.${stack}.yaml`,
      });
    }
  }
  const replicaKeyRegion = /^arn:aws:kms:([a-z0-9-]+):/.exec(standby?.replicaKeyArn ?? "")?.[1];
  if (replicaKeyRegion !== undefined && typeof region === "string" && replicaKeyRegion !== region) {
    // The standby signs with the replica and declares its fence alias to it: an alias names a key of its own region.
    issues.push({
      key: "boson-kit:standby.replicaKeyArn",
      value: JSON.stringify(standby?.replicaKeyArn),
      problem: `is a key in ${replicaKeyRegion}, but this standby stack runs in ${region} (aws:region): a standby runs in its primary's replica region`,
      fix: `set aws:region to ${replicaKeyRegion}, or set boson-kit:standby.replicaKeyArn to the primary stack's assistantReplicaKeyArn output`,
    });
  }
  if (standby !== undefined && signer.replicaRegion !== undefined) {
    issues.push({
      key: `${key}.replicaRegion`,
      value: JSON.stringify(signer.replicaRegion),
      problem: "a standby stack signs with its primary stack's replica and creates no key of its own",
      fix: `pulumi config rm --path '${key}.replicaRegion' --stack ${stack}`,
    });
  }
  return issues;
}
