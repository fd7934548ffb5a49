/**
 * @bosonprotocol/core-sdk is the test oracle for meta-transactions, never
 * Lambda code: no deployment bundle may contain it (or the ethers it would
 * pull in). Read from each bundle's source map, the list of every module
 * esbuild put in it.
 */
import { describe, expect, it } from "vitest";
import { bundleJob } from "../../infra/build/bundle";
import { jobNames } from "../../lambdas/contract/jobs";

describe("bundle contents", () => {
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
