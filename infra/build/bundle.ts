import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { build, type BuildOptions, version as esbuildVersion } from "esbuild";
import { buildTimeData } from "./build-time-data";
import { leaveOutModules } from "./left-out-modules";

/**
 * Bundles a job's handler with esbuild while the program is evaluated, so
 * `pulumi up`, the offline plan and the tests all ship the same code with no
 * separate build step. Bundles are cached per process (evaluating staging and
 * production in one run bundles each job once) and on disk under
 * node_modules/.cache, keyed on every Lambda source file, the lockfile and the
 * esbuild version, so test processes and repeated plans do not rebuild
 * unchanged code.
 */

const projectRoot = join(__dirname, "..", "..");

export interface JobBundle {
  readonly job: string;
  /** Minified CommonJS, exporting `handler`. */
  readonly code: string;
  readonly sourceMap: string;
  /** SHA-256 of `code`, hex: the bundle's part of the release identity. */
  readonly sha256: string;
}

const bundles = new Map<string, Promise<JobBundle>>();

const diskCache = join(projectRoot, "node_modules", ".cache", "boson-kit-bundles");

function filesUnder(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((entry) => {
      const path = join(directory, entry);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

let sourcesDigest: string | undefined;
let lockfileDigest: string | undefined;

/** SHA-256 of package-lock.json, hex: every dependency version a bundle could contain. */
export function lockfileSha256(): string {
  lockfileDigest ??= sha256Hex(readFileSync(join(projectRoot, "package-lock.json")));
  return lockfileDigest;
}

/**
 * What a bundle depends on: all of lambdas/ (a job imports shared code), the
 * locked dependency versions and the bundler with its options (infra/build/). Coarse on purpose: hashing a
 * few hundred kilobytes is cheap, and a missed dependency would ship stale code.
 * Read once per process, shared by every job's key.
 */
function sourcesHash(): string {
  if (sourcesDigest === undefined) {
    const hash = createHash("sha256").update(`esbuild ${esbuildVersion}\0`);
    const inputs = [
      ...filesUnder(join(projectRoot, "lambdas")),
      ...filesUnder(join(projectRoot, "infra", "build")),
      join(projectRoot, "package-lock.json"),
    ];
    for (const file of inputs) {
      hash.update(relative(projectRoot, file)).update("\0").update(readFileSync(file)).update("\0");
    }
    sourcesDigest = hash.digest("hex");
  }
  return sourcesDigest;
}

function sourceKey(job: string): string {
  return createHash("sha256").update(`${sourcesHash()}\0job ${job}\0sdk ${awsSdkSource}`).digest("hex").slice(0, 32);
}

function readCached(job: string, key: string): JobBundle | undefined {
  try {
    const directory = join(diskCache, key);
    const code = readFileSync(join(directory, "index.js"), "utf8");
    return { job, code, sourceMap: readFileSync(join(directory, "index.js.map"), "utf8"), sha256: sha256Hex(code) };
  } catch {
    return undefined;
  }
}

/** Writes to a temporary folder and renames it, so a concurrent reader never sees half a bundle. */
function writeCached(built: JobBundle, key: string): void {
  try {
    const staging = join(diskCache, `${key}.${process.pid}.tmp`);
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, "index.js"), built.code);
    writeFileSync(join(staging, "index.js.map"), built.sourceMap);
    renameSync(staging, join(diskCache, key));
  } catch {
    // Another process cached the same key first, or the cache is read-only: the bundle is still good.
  }
}

async function cachedBundle(job: string): Promise<JobBundle> {
  const key = sourceKey(job);
  const cached = readCached(job, key);
  if (cached) return cached;
  const built = await bundle(job);
  writeCached(built, key);
  return built;
}

/**
 * Where a job's AWS SDK v3 comes from. "bundled": the exact versions in
 * package-lock.json, the ones the tests ran, are in the artifact. "runtime":
 * the copy the nodejs22.x runtime ships, which AWS updates on its own
 * schedule (a different version from the tested one, changing under a
 * deployed function). bench/sdk-bundling.ts measured both on the withdraw
 * job: see its table for size and cold-start `require` time.
 */
export type AwsSdkSource = "bundled" | "runtime";

/**
 * The kit bundles the SDK: the artifact then holds every line that runs, so its
 * hash is the release's identity and a test result stays true for what is
 * deployed. The price (bench/sdk-bundling.ts) is a larger package and a slower
 * cold-start `require`; both stay far inside Lambda's limits and the jobs'
 * schedules. The runtime itself still takes AWS's patch updates (Auto):
 * pinning it would also freeze out security fixes to Node.
 */
export const awsSdkSource: AwsSdkSource = "bundled";

/** esbuild's options for any handler module, as the jobs are built (the benches build their floors with this). */
export function entryBuildOptions(
  entry: string,
  name: string,
  sdk: AwsSdkSource = awsSdkSource,
): BuildOptions & { write: false } {
  return {
    entryPoints: [entry],
    absWorkingDir: projectRoot,
    outfile: join(projectRoot, ".bundles", name, "index.js"),
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
    external: sdk === "runtime" ? ["@aws-sdk/*"] : [],
    // Prefer ES modules so esbuild can drop what a job does not import (viem is large).
    mainFields: ["module", "main"],
    plugins: [buildTimeData, leaveOutModules],
    logLevel: "silent",
  };
}

/** esbuild's options for a job's handler; exported so the benchmark builds exactly what ships. */
export function jobBuildOptions(job: string, sdk: AwsSdkSource = awsSdkSource): BuildOptions & { write: false } {
  return entryBuildOptions(join(projectRoot, "lambdas", job, "handler.ts"), job, sdk);
}

/** Any handler module, bundled exactly as the jobs are. */
export async function bundleEntry(
  entry: string,
  name: string,
  sdk: AwsSdkSource = awsSdkSource,
): Promise<{ code: string; sourceMap: string }> {
  const result = await build(entryBuildOptions(entry, name, sdk));
  const code = result.outputFiles.find((file) => file.path.endsWith(".js"));
  const sourceMap = result.outputFiles.find((file) => file.path.endsWith(".js.map"));
  if (!code || !sourceMap) throw new Error(`esbuild produced no bundle for ${relative(projectRoot, entry)}`);
  return { code: code.text, sourceMap: sourceMap.text };
}

async function bundle(job: string): Promise<JobBundle> {
  const built = await bundleEntry(join(projectRoot, "lambdas", job, "handler.ts"), job);
  return { job, ...built, sha256: sha256Hex(built.code) };
}

/**
 * Several jobs bundled by one esbuild run, so the libraries they share (viem,
 * the AWS SDK) are parsed once instead of once per job. esbuild links each
 * entry point on its own when code splitting is off, so every output is byte
 * for byte the bundle `bundle(job)` makes (test/infra/bundle-batch.test.ts).
 */
export async function bundleTogether(jobs: readonly string[]): Promise<JobBundle[]> {
  const { entryPoints: _single, outfile: _outfile, ...options } = jobBuildOptions(jobs[0] ?? "");
  const result = await build({
    ...options,
    // Each entry lands where jobBuildOptions puts it alone (.bundles/<job>/index.js), so source map paths match too.
    entryPoints: Object.fromEntries(
      jobs.map((job) => [`${job}/index`, join(projectRoot, "lambdas", job, "handler.ts")]),
    ),
    outdir: join(projectRoot, ".bundles"),
  });
  return jobs.map((job) => {
    const output = (suffix: string) =>
      result.outputFiles.find((file) => file.path === join(projectRoot, ".bundles", job, `index${suffix}`));
    const code = output(".js");
    const sourceMap = output(".js.map");
    if (!code || !sourceMap) throw new Error(`esbuild produced no bundle for lambdas/${job}/handler.ts`);
    return { job, code: code.text, sourceMap: sourceMap.text, sha256: sha256Hex(code.text) };
  });
}

/**
 * Starts every listed job's bundle now, the uncached ones in one esbuild run
 * (see bundleTogether); later `bundleJob` calls share the result. For a tool
 * that knows early which jobs it will need, e.g. `npm run dev` on a fresh clone.
 */
export function bundleJobs(jobs: readonly string[]): Promise<JobBundle[]> {
  const missing = jobs.filter((job) => !bundles.has(job));
  const keys = new Map(missing.map((job) => [job, sourceKey(job)]));
  const cached = new Map(missing.map((job) => [job, readCached(job, keys.get(job)!)])); // keyed just above
  const toBuild = missing.filter((job) => cached.get(job) === undefined);
  const built =
    toBuild.length === 0
      ? Promise.resolve([])
      : bundleTogether(toBuild).then((results) => {
          for (const result of results) writeCached(result, keys.get(result.job)!); // keyed above
          return results;
        });
  for (const job of missing) {
    const hit = cached.get(job);
    bundles.set(
      job,
      hit ? Promise.resolve(hit) : built.then((results) => results.find((result) => result.job === job)!), // built from toBuild, which holds job
    );
  }
  return Promise.all(jobs.map((job) => bundleJob(job)));
}

/** The job's bundle, built on first use in this process. */
export function bundleJob(job: string): Promise<JobBundle> {
  let pending = bundles.get(job);
  if (!pending) {
    pending = cachedBundle(job);
    bundles.set(job, pending);
  }
  return pending;
}

/**
 * NODE_OPTIONS of every function: stack traces in the logs point into the
 * TypeScript sources through the packaged source map. Node reads the map when
 * it loads the bundle, which bench/cold-start.ts counts as part of the cold start.
 */
export const lambdaNodeOptions = "--enable-source-maps";

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
