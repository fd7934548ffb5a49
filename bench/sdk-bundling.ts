/**
 * Bundle the AWS SDK into each job, or take the nodejs22.x runtime's copy?
 * `npx tsx bench/sdk-bundling.ts [job ...]` builds each job both ways with the
 * kit's own esbuild options (infra/build/bundle.ts) and prints, per job and
 * way: package size (minified, and gzipped as Lambda stores it), and the
 * cold-start cost of `require`-ing the bundle in a fresh Node process (median
 * of N runs; "runtime" resolves @aws-sdk/* from node_modules as the runtime
 * would from /var/runtime). Run by hand; prints tables, asserts nothing.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { jobBuildOptions, type AwsSdkSource } from "../infra/build/bundle";
import { markdownTable } from "./markdown-table";

const runs = Number(process.env.BENCH_RUNS ?? 9);
const jobs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["withdraw", "health", "watcher", "smoke"];
// Inside node_modules, so a "runtime" bundle finds @aws-sdk/* the way Lambda's resolver finds the runtime's copy.
const outDir = join(__dirname, "..", "node_modules", ".cache", "bench-sdk-bundling");

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** Milliseconds to `require` the file in a fresh process (the handler module's cold-start load), median of `runs`. */
function requireMs(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const samples = Array.from({ length: runs }, () =>
    Number(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })),
  );
  return median(samples);
}

async function measure(job: string, sdk: AwsSdkSource): Promise<{ bytes: number; gzipped: number; ms: number }> {
  const result = await build(jobBuildOptions(job, sdk));
  const code = result.outputFiles.find((file) => file.path.endsWith(".js"));
  if (!code) throw new Error(`no bundle for ${job}`);
  const file = join(outDir, `${job}-${sdk}.js`);
  writeFileSync(file, code.text);
  return { bytes: code.contents.byteLength, gzipped: gzipSync(code.contents).byteLength, ms: requireMs(file) };
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const rows: string[][] = [];
  for (const job of jobs) {
    const runtime = await measure(job, "runtime");
    const bundled = await measure(job, "bundled");
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
    rows.push(
      [job, "runtime's SDK", kb(runtime.bytes), kb(runtime.gzipped), runtime.ms.toFixed(1), "1.00"],
      [
        job,
        "bundled SDK",
        kb(bundled.bytes),
        kb(bundled.gzipped),
        bundled.ms.toFixed(1),
        (bundled.ms / runtime.ms).toFixed(2),
      ],
    );
  }
  console.log(
    `AWS SDK bundled vs taken from the runtime (Node ${process.version}, require median of ${runs} fresh processes)\n`,
  );
  console.log(markdownTable(["job", "AWS SDK", "minified", "gzipped", "require ms", "ratio"], rows));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
