/**
 * Writes a job's deployment bundle, exactly as the infra builds it
 * (`bundleJob` in infra/build/bundle.ts: the same esbuild step, and its
 * cache), into a temporary directory, so tests can load and invoke the
 * artefact that would be deployed. Several jobs may share one directory, so
 * each is written as `<job>.js`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleJob } from "../../infra/build/bundle";

export type BuiltBundle = { file: string; bytes: number };

/** Writes `lambdas/<job>/handler.ts`'s bundle into a directory (a fresh temp dir by default). */
export async function bundleHandler(
  job: string,
  outDir: string = mkdtempSync(join(tmpdir(), `bundle-${job}-`)),
): Promise<BuiltBundle> {
  const built = await bundleJob(job);
  const file = join(outDir, `${job}.js`);
  writeFileSync(file, built.code);
  return { file, bytes: Buffer.byteLength(built.code) };
}
