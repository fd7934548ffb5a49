/**
 * Writes a job's deployment bundle, exactly as the infra builds it
 * (`bundleJob` in infra/components/bundle.ts: the same esbuild step, and its
 * cache), into a temporary directory, so tests can load and invoke the
 * artefact that would be deployed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleJob } from "../../infra/components/bundle";

export type BuiltBundle = { file: string; bytes: number };

/** Writes `lambdas/<job>/handler.ts`'s bundle (and its source map) into a fresh temp dir. */
export async function bundleHandler(job: string, outDir: string = mkdtempSync(join(tmpdir(), `bundle-${job}-`))): Promise<BuiltBundle> {
  const built = await bundleJob(job);
  // The names the Lambda package uses, so the bundle's sourceMappingURL resolves.
  const file = join(outDir, "index.js");
  writeFileSync(file, built.code);
  writeFileSync(`${file}.map`, built.sourceMap);
  return { file, bytes: Buffer.byteLength(built.code) };
}
