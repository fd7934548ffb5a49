/**
 * Cold start per bundle (run by hand: `npx tsx bench/cold-start.ts [runs] [--against <git ref>]`):
 * each job's deployment bundle, the shipper's, and a floor (bench/cold-start/
 * floor.ts: viem public + wallet clients, fallback transport, toAccount,
 * readContract, @noble/curves, the KMS client), all bundled by the infra's own
 * esbuild step (`bundleEntry`), so whatever that step externalises, bundles,
 * computes at build time or leaves out applies to the floor and the jobs alike.
 *
 * Per bundle: its size, and the time to `require` it in a fresh Node process
 * (module initialisation, what a cold start adds before the handler runs),
 * the median of N runs interleaved across bundles, and the ratio to the
 * floor's median in the same run: wall-clock time, and CPU time (user +
 * system of all the process's threads), which the other processes on a shared
 * machine disturb far less. "as deployed" requires the bundle the way Lambda
 * does (NODE_OPTIONS=--enable-source-maps with the source map beside it: Node
 * then also reads the map). Goal (issue 13): jobs within 1.25x the floor and
 * the shipper within 2x, judged on the plain `require`, wall and CPU.
 *
 * `--against <git ref>` also builds the bundles of that commit (its lambdas/
 * and infra/build/, with this checkout's node_modules) and measures them in
 * the same run, rows suffixed `@<ref>`: before and after, side by side.
 *
 * The recorded table, and what is left over the floor and why: bench/README.md.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bundleEntry, bundleJob, lambdaNodeOptions } from "../infra/build/bundle";
import { jobNames } from "../lambdas/contract";
import { markdownTable } from "./markdown-table";

const projectRoot = join(__dirname, "..");
// Inside the project, so the bundles resolve what they leave external (the AWS SDK) from node_modules, as Lambda's runtime provides it.
const outDir = join(projectRoot, "node_modules", ".cache", "boson-kit-cold-start");
const bundledJobs = [...jobNames, "shipper"];

type Built = { code: string; sourceMap: string };
type Times = { wall: number[]; cpu: number[] };
type Measured = { name: string; bytes: number; file: string; plain: Times; deployed: Times };

/** Wall-clock and CPU milliseconds to require `file` in a fresh node process. */
function requireMs(file: string, nodeOptions: string): { wall: number; cpu: number } {
  const script = [
    "const cpu = process.cpuUsage(), start = process.hrtime.bigint();",
    `require(${JSON.stringify(file)});`,
    "const used = process.cpuUsage(cpu);",
    "process.stdout.write(JSON.stringify({ wall: Number(process.hrtime.bigint() - start) / 1e6, cpu: (used.user + used.system) / 1e3 }));",
  ].join("\n");
  const output = execFileSync(process.execPath, ["-e", script], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", NODE_OPTIONS: nodeOptions },
    stdio: ["ignore", "pipe", "ignore"],
  }).toString();
  return JSON.parse(output) as { wall: number; cpu: number };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** Writes `index.js` and `index.js.map` into the bundle's own folder, as in the deployment package. */
function write(name: string, built: Built): Measured {
  const directory = join(outDir, name);
  mkdirSync(directory, { recursive: true });
  const file = join(directory, "index.js");
  writeFileSync(file, built.code);
  writeFileSync(`${file}.map`, built.sourceMap);
  return {
    name,
    bytes: Buffer.byteLength(built.code),
    file,
    plain: { wall: [], cpu: [] },
    deployed: { wall: [], cpu: [] },
  };
}

/** The jobs' bundles as `ref` built them: its lambdas/ and infra/build/ in a scratch folder, bundled by its own bundle.ts. */
async function bundlesAt(ref: string): Promise<Measured[]> {
  const checkout = join(outDir, "baseline");
  mkdirSync(checkout, { recursive: true });
  const archive = execFileSync("git", ["archive", "--format=tar", ref, "lambdas", "infra", "package-lock.json"], {
    cwd: projectRoot,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync("tar", ["-x", "-C", checkout], { input: archive });
  const baseline = (await import(join(checkout, "infra", "build", "bundle.ts"))) as {
    bundleJob(job: string): Promise<Built>;
  };
  return Promise.all(bundledJobs.map(async (job) => write(`${job}@${ref}`, await baseline.bundleJob(job))));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { against: { type: "string" } }, allowPositionals: true });
  const runs = Number(positionals[0] ?? 7);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const floor = write("floor", await bundleEntry(join(__dirname, "cold-start", "floor.ts"), "cold-start-floor"));
  const jobs = await Promise.all(bundledJobs.map(async (job) => write(job, await bundleJob(job))));
  const baseline = values.against === undefined ? [] : await bundlesAt(values.against);
  const all = [floor, ...jobs, ...baseline];

  requireMs(floor.file, ""); // warm the disk cache once
  for (let run = 0; run < runs; run++)
    for (const bundle of all) {
      for (const [times, options] of [
        [bundle.plain, ""],
        [bundle.deployed, lambdaNodeOptions],
      ] as const) {
        const measured = requireMs(bundle.file, options);
        times.wall.push(measured.wall);
        times.cpu.push(measured.cpu);
      }
    }

  const goal = (name: string) => (name.startsWith("shipper") ? 2 : name === "floor" ? undefined : 1.25);
  const ratio = (times: number[], floorTimes: number[]) => median(times) / median(floorTimes);
  console.log(
    `\ncold start: bundle size and require time in a fresh process (median of ${runs}, node ${process.version})\n`,
  );
  const rows = all.map((bundle) => {
    const ratios = [ratio(bundle.plain.wall, floor.plain.wall), ratio(bundle.plain.cpu, floor.plain.cpu)];
    const target = goal(bundle.name);
    return [
      bundle.name,
      `${(bundle.bytes / 1024).toFixed(0)} KiB`,
      `${median(bundle.plain.wall).toFixed(1)} ms`,
      `${ratios[0]?.toFixed(2)}x`,
      `${median(bundle.plain.cpu).toFixed(1)} ms`,
      `${ratios[1]?.toFixed(2)}x`,
      `${median(bundle.deployed.cpu).toFixed(1)} ms`,
      `${ratio(bundle.deployed.cpu, floor.deployed.cpu).toFixed(2)}x`,
      target === undefined ? "" : ratios.every((value) => value <= target) ? `within ${target}x` : `OVER ${target}x`,
    ];
  });
  console.log(
    markdownTable(
      ["bundle", "size", "wall", "vs floor", "CPU", "vs floor", "CPU as deployed", "vs floor", "goal (wall, CPU)"],
      rows,
    ),
  );
  rmSync(outDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
