/**
 * Cold start per bundle (run by hand: `npx tsx bench/cold-start.ts [runs]`):
 * each job's deployment bundle, the shipper's, and a floor (bench/cold-start/
 * floor.ts: viem public + wallet clients, fallback transport, toAccount,
 * readContract, @noble/curves, the KMS client), all bundled by the infra's own
 * esbuild step (`bundleEntry`), so whatever that step externalises or bundles
 * (the AWS SDK, say) applies to the floor and the jobs alike.
 *
 * Per bundle: its size, and the time to `require` it in a fresh Node process
 * (module initialisation, what a cold start adds before the handler runs),
 * the median of N runs interleaved across bundles, and the ratio to the
 * floor's median in the same run. Goal: jobs within 1.25x, shipper within 2x.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleEntry, bundleJob } from "../infra/build/bundle";
import { jobNames } from "../lambdas/contract";
import { markdownTable } from "./markdown-table";

const projectRoot = join(__dirname, "..");
// Inside the project, so the bundles resolve what they leave external (the AWS SDK) from node_modules, as Lambda's runtime provides it.
const outDir = join(projectRoot, "node_modules", ".cache", "boson-kit-cold-start");

type Measured = { name: string; bytes: number; file: string; times: number[] };

/** Milliseconds to require `file` in a fresh node process. */
function requireMs(file: string): number {
  const script = `const start = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));`;
  return Number(
    execFileSync(process.execPath, ["-e", script], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1" },
    }).toString(),
  );
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 7);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const write = (name: string, code: string): Measured => {
    const file = join(outDir, `${name}.js`);
    writeFileSync(file, code);
    return { name, bytes: Buffer.byteLength(code), file, times: [] };
  };
  const floor = write("floor", (await bundleEntry(join(__dirname, "cold-start", "floor.ts"), "cold-start-floor")).code);
  const jobs = await Promise.all([...jobNames, "shipper"].map(async (job) => write(job, (await bundleJob(job)).code)));
  const all = [floor, ...jobs];

  requireMs(floor.file); // warm the disk cache once
  for (let run = 0; run < runs; run++) for (const bundle of all) bundle.times.push(requireMs(bundle.file));

  const floorMs = median(floor.times);
  const goal = (name: string) => (name === "shipper" ? 2 : name === "floor" ? undefined : 1.25);
  console.log(
    `\ncold start: bundle size and require time in a fresh process (median of ${runs}, node ${process.version})\n`,
  );
  const rows = all.map((bundle) => {
    const ms = median(bundle.times);
    const ratio = ms / floorMs;
    const target = goal(bundle.name);
    return [
      bundle.name,
      `${(bundle.bytes / 1024).toFixed(0)} KiB`,
      `${ms.toFixed(1)} ms`,
      `${ratio.toFixed(2)}x`,
      target === undefined ? "" : ratio <= target ? `within ${target}x` : `OVER ${target}x`,
    ];
  });
  console.log(markdownTable(["bundle", "size", "require", "vs floor", "goal"], rows));
  rmSync(outDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
