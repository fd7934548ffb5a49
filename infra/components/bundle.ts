import { join, relative } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { build } from "esbuild";

/**
 * Bundles a job's handler with esbuild while the program is evaluated, so
 * `pulumi up`, the offline plan and the tests all ship the same code with no
 * separate build step. Bundles are cached per process: evaluating staging and
 * production in one run bundles each job once.
 */

const projectRoot = join(__dirname, "..", "..");

export interface JobBundle {
  readonly job: string;
  /** Minified CommonJS, exporting `handler`. */
  readonly code: string;
  readonly sourceMap: string;
}

const bundles = new Map<string, Promise<JobBundle>>();

async function bundle(job: string): Promise<JobBundle> {
  const entry = join(projectRoot, "lambdas", job, "handler.ts");
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: projectRoot,
    outfile: join(projectRoot, ".bundles", job, "index.js"),
    write: false,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    sourcemap: true,
    // Stack traces need only the mappings; the sources would triple the package.
    sourcesContent: false,
    legalComments: "none",
    // The nodejs22.x runtime ships AWS SDK v3; bundling it again would only grow the package.
    external: ["@aws-sdk/*"],
    // Prefer ES modules so esbuild can drop what a job does not import (viem is large).
    mainFields: ["module", "main"],
    logLevel: "silent",
  });
  const code = result.outputFiles.find((file) => file.path.endsWith(".js"));
  const sourceMap = result.outputFiles.find((file) => file.path.endsWith(".js.map"));
  if (!code || !sourceMap) throw new Error(`esbuild produced no bundle for ${relative(projectRoot, entry)}`);
  return { job, code: code.text, sourceMap: sourceMap.text };
}

/** The job's bundle, built on first use in this process. */
export function bundleJob(job: string): Promise<JobBundle> {
  let pending = bundles.get(job);
  if (!pending) {
    pending = bundle(job);
    bundles.set(job, pending);
  }
  return pending;
}

/** The Lambda deployment package: `index.js` (handler `index.handler`) and its source map. */
export function jobArchive(job: string): Promise<pulumi.asset.AssetArchive> {
  return bundleJob(job).then(
    (built) =>
      new pulumi.asset.AssetArchive({
        "index.js": new pulumi.asset.StringAsset(built.code),
        "index.js.map": new pulumi.asset.StringAsset(built.sourceMap),
      }),
  );
}
