/**
 * Bundles a job handler the way the infra does (esbuild: platform node,
 * target node22, CommonJS, the AWS SDK external because the Lambda runtime
 * ships it, ES modules preferred, minified: the options of
 * infra/components/bundle.ts) into a temporary directory, so tests can load and invoke the
 * artefact that would be deployed.
 */
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build, type BuildOptions } from "esbuild";

export const bundleOptions: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  external: ["@aws-sdk/*"],
  minify: true,
  sourcemap: false,
  legalComments: "none",
  // As infra/components/bundle.ts: prefer ES modules so esbuild can tree-shake viem.
  mainFields: ["module", "main"],
};

export type BuiltBundle = { file: string; bytes: number };

/** Bundles `lambdas/<job>/handler.ts` into a fresh temp dir. */
export async function bundleHandler(job: string, outDir: string = mkdtempSync(join(tmpdir(), `bundle-${job}-`))): Promise<BuiltBundle> {
  const entry = resolve(__dirname, "..", "..", "lambdas", job, "handler.ts");
  const file = join(outDir, `${job}.js`);
  await build({ ...bundleOptions, entryPoints: [entry], outfile: file, logLevel: "silent" });
  return { file, bytes: statSync(file).size };
}
