import { createHash } from "node:crypto";
import type { ReleaseIdentity } from "../../lambdas/contract/release";

/**
 * A Lambda's release identity and its digest. The digest is over a canonical
 * JSON (keys sorted), so the same identity always tags the function with the
 * same value, whichever stack declares it.
 */
export function releaseDigest(identity: ReleaseIdentity): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(identity).sort(([a], [b]) => a.localeCompare(b))));
  return createHash("sha256").update(canonical).digest("hex");
}

/** Which fields of two identities differ, named, for the gate's refusal. */
export function identityDifferences(expected: ReleaseIdentity, actual: ReleaseIdentity): string[] {
  return (Object.keys(expected) as (keyof ReleaseIdentity)[]).filter((field) => expected[field] !== actual[field]);
}
