/**
 * @bosonprotocol/core-sdk is the test oracle for meta-transactions, never
 * Lambda code: no deployment bundle may contain it (or the ethers it would
 * pull in). Read from each bundle's source map, the list of every module
 * esbuild put in it. Each package is in it once: two versions of a shared
 * dependency (Powertools commons, the AWS SDK core) would load both at every
 * cold start.
 */
import { describe, expect, it } from "vitest";
import { bundleJob } from "../../infra/build/bundle";
import { jobNames } from "../../lambdas/contract/jobs";

/** Package name -> the folders the bundle took its files from (more than one: two copies of the package). */
function packageFolders(sources: readonly string[]): Map<string, Set<string>> {
  const folders = new Map<string, Set<string>>();
  for (const source of sources) {
    const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(source);
    if (!match?.[1] || !match[2]) continue;
    const seen = folders.get(match[2]) ?? new Set<string>();
    folders.set(match[2], seen.add(match[1]));
  }
  return folders;
}

describe("bundle contents", () => {
  it.each(jobNames)("the %s bundle carries one copy of each package, and no zod", async (job) => {
    const { sourceMap } = await bundleJob(job);
    const folders = packageFolders((JSON.parse(sourceMap) as { sources: string[] }).sources);
    expect(folders.has("@aws-lambda-powertools/logger")).toBe(true);
    // Its environment check is valibot: zod would add its core to every cold start (bench/README.md).
    expect(folders.has("zod")).toBe(false);
    expect([...folders].filter(([, paths]) => paths.size > 1).map(([name, paths]) => [name, [...paths]])).toEqual([]);
  });

  it.each(jobNames)("the %s bundle has no @bosonprotocol/core-sdk and no ethers", async (job) => {
    const { sourceMap } = await bundleJob(job);
    const sources = (JSON.parse(sourceMap) as { sources: string[] }).sources;
    // The list does name node_modules packages (the check can see them): viem is in every job that signs or reads.
    expect(sources.some((source) => source.includes("node_modules/viem/"))).toBe(true);
    expect(
      sources.filter((source) => /@bosonprotocol\/core-sdk|@ethersproject\/|node_modules\/ethers\//.test(source)),
    ).toEqual([]);
  });
});
