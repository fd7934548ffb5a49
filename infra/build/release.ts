import type { Release } from "../../lambdas/contract/release";
import { jobNames } from "../../lambdas/contract";
import { functionReleaseIdentity } from "../components/job-function";
import { shipperSettings } from "../resource-groups/shipper-function";
import { jobCatalog } from "../definitions/job-catalog";

/**
 * Every Lambda's release identity in a stack, computed from the same
 * settings the functions are declared with (a test checks them against the
 * declared functions' tags), before any function exists: the smoke job's
 * environment carries it, so its record names the release it ran against.
 */
export async function stackRelease(): Promise<Release> {
  const functions = [
    ...jobNames.map((job) => ({
      job,
      timeoutSeconds: jobCatalog[job].timeoutSeconds,
      memorySizeMb: jobCatalog[job].memorySizeMb,
    })),
    shipperSettings,
  ];
  const identities = await Promise.all(
    functions.map(async (settings) => [settings.job, await functionReleaseIdentity(settings)] as const),
  );
  return Object.fromEntries(identities);
}
