/**
 * `npm run dev` startup, cold against warm (run by hand:
 * `npx tsx bench/dev-startup.ts [rounds]`). Works on a fresh clone of this
 * repository's HEAD with node_modules hard-linked from here (as `npm ci`
 * leaves it, without running it again). Cold: no job bundle cache
 * (node_modules/.cache), an empty temp directory (tsx's transform cache, the
 * solc cache), i.e. the first `npm run dev` after `npm ci`. Warm: the same
 * clone again, caches kept. Rounds alternate cold and warm so both see the
 * same machine load.
 *
 * Per run: wall time from spawning `tsx tools/dev.ts` to its ready line, and
 * the phases that line reports; then the medians and the cold/warm ratio.
 * The 1-minute load average is printed alongside, because the machine's
 * other work moves every figure.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const projectRoot = join(__dirname, "..");
const rounds = Number(process.argv[2] ?? "3");
const readyLine = /ready in (\d+) ms from process start \(stack (\d+) ms, peers (\d+) ms(?:, job bundles (\d+) ms)?\)/;

type Run = {
  kind: "cold" | "warm";
  wallMs: number;
  readyMs: number;
  stackMs: number;
  peersMs: number;
  bundlesMs: string;
  load: number;
};

function freshClone(): string {
  const base = mkdtempSync(join(tmpdir(), "dev-startup-"));
  const clone = join(base, "repo");
  execFileSync("git", ["clone", "--quiet", projectRoot, clone]);
  execFileSync("cp", ["-al", join(projectRoot, "node_modules"), join(clone, "node_modules")]);
  return clone;
}

/** Starts `npm run dev` (as `tsx tools/dev.ts`), waits for its ready line, then Ctrl-C. */
function startOnce(clone: string, temp: string, kind: Run["kind"]): Promise<Run> {
  const load = loadavg()[0] ?? 0;
  const started = performance.now();
  const child = spawn(join(clone, "node_modules", ".bin", "tsx"), ["tools/dev.ts"], {
    cwd: clone,
    env: { ...process.env, TMPDIR: temp },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = readyLine.exec(output);
      if (!match) return;
      const wallMs = Math.round(performance.now() - started);
      child.stdout.removeAllListeners("data");
      child.once("exit", () =>
        resolve({
          kind,
          wallMs,
          readyMs: Number(match[1]),
          stackMs: Number(match[2]),
          peersMs: Number(match[3]),
          bundlesMs: match[4] ?? "-",
          load,
        }),
      );
      child.kill("SIGINT");
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      if (!readyLine.test(output)) reject(new Error(`npm run dev exited (${String(code)}) before ready:\n${output}`));
    });
  });
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((cell, index) => Math.max(cell.length, ...rows.map((row) => row[index]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const clone = freshClone();
  const runs: Run[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Cold: what a fresh `npm ci` leaves (no bundle cache), and a temp directory no earlier run wrote.
      rmSync(join(clone, "node_modules", ".cache"), { recursive: true, force: true });
      const temp = mkdtempSync(join(tmpdir(), "dev-startup-tmp-"));
      try {
        runs.push(await startOnce(clone, temp, "cold"));
        runs.push(await startOnce(clone, temp, "warm"));
      } finally {
        rmSync(temp, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(join(clone, ".."), { recursive: true, force: true });
  }
  printTable(
    ["run", "wall to ready", "ready line", "stack", "peers", "job bundles", "load (1 min)"],
    runs.map((run) => [
      run.kind,
      `${run.wallMs} ms`,
      `${run.readyMs} ms`,
      `${run.stackMs} ms`,
      `${run.peersMs} ms`,
      run.bundlesMs === "-" ? "-" : `${run.bundlesMs} ms`,
      run.load.toFixed(1),
    ]),
  );
  const cold = median(runs.filter((run) => run.kind === "cold").map((run) => run.wallMs));
  const warm = median(runs.filter((run) => run.kind === "warm").map((run) => run.wallMs));
  console.log(
    `\nmedian wall to ready: cold ${cold} ms, warm ${warm} ms, cold/warm ${(cold / warm).toFixed(2)}x (goal: cold under 5000 ms)`,
  );
}

void main();
