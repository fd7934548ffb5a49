import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { bundleEntry, bundleTogether } from "../../infra/build/bundle";

/**
 * Jobs bundled together (one esbuild run, as `npm run dev` does on a fresh
 * clone) ship exactly the bytes each job's own build makes: the same code
 * hash, so the same release identity, and the same source map.
 */
const root = join(__dirname, "..", "..");

describe("bundling several jobs in one esbuild run", () => {
  it("gives each job the code and source map its own build gives", async () => {
    const jobs = ["health", "watcher"];
    const together = await bundleTogether(jobs);
    expect(together.map((bundle) => bundle.job)).toEqual(jobs);
    for (const bundle of together) {
      const alone = await bundleEntry(join(root, "lambdas", bundle.job, "handler.ts"), bundle.job);
      expect(bundle.code).toBe(alone.code);
      expect(bundle.sourceMap).toBe(alone.sourceMap);
    }
    // Two different jobs, not one bundle twice.
    expect(together[0]?.sha256).not.toBe(together[1]?.sha256);
  }, 120_000);
});
