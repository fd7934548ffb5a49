/**
 * `npm run dev` startup, cold against warm (run by hand:
 * `npx tsx bench/dev-startup.ts [rounds] [commit]`). Works on a fresh clone
 * of this repository at HEAD (or `commit`, to compare with an older loop)
 * with node_modules hard-linked from here (as `npm ci` leaves it, without
 * running it again). Cold: no job bundle cache
 * (node_modules/.cache), an empty temp directory (tsx's transform cache, the
 * solc cache), i.e. the first `npm run dev` after `npm ci`. Warm: the same
 * clone again, caches kept. Rounds alternate cold and warm so both see the
 * same machine load.
 *
 * Per run: wall time from spawning `tsx tools/dev.ts` to its ready line, the
 * phases that line reports, and the CPU time the process tree used until
 * then (its processes' user + system time, exited children included): wall
 * time moves with whatever else the machine runs (the 1-minute load average
 * is printed alongside), CPU time much less. Then the medians and the
 * cold/warm ratios.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const projectRoot = join(__dirname, "..");
const rounds = Number(process.argv[2] ?? "3");
const commit = process.argv[3];
// Phases are optional: older loops printed only the total.
const readyLine =
  /ready in (\d+) ms(?: from process start \(stack (\d+) ms, peers (\d+) ms(?:, job bundles (\d+) ms)?\))?/;
const clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());

type Run = {
  kind: "cold" | "warm";
  wallMs: number;
  cpuMs: number;
  readyMs: number;
  phases: (string | undefined)[];
  load: number;
};

/**
 * User + system CPU of `root`'s process tree, from /proc (Linux): sampled
 * while it starts, keeping each process's last figure, so a child that has
 * exited by the ready line (the stack's evaluation, its esbuild) still counts.
 */
function cpuSampler(root: number): { sample(): void; totalMs(): number } {
  const seen = new Map<number, number>();
  const sample = () => {
    const processes = new Map<number, { parent: number; ticks: number }>();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        // proc(5) fields 4 (ppid), 14 and 15 (utime, stime), counted here from field 3 (state).
        processes.set(Number(entry), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
      } catch {
        // exited while we read
      }
    }
    const inTree = (pid: number): boolean => {
      for (let at: number | undefined = pid; at !== undefined && at > 1; at = processes.get(at)?.parent)
        if (at === root) return true;
      return false;
    };
    for (const [pid, { ticks }] of processes) if (seen.has(pid) || inTree(pid)) seen.set(pid, ticks);
  };
  return {
    sample,
    totalMs: () => Math.round(([...seen.values()].reduce((sum, ticks) => sum + ticks, 0) * 1000) / clockTicksPerSecond),
  };
}

function freshClone(): string {
  const base = mkdtempSync(join(tmpdir(), "dev-startup-"));
  const clone = join(base, "repo");
  execFileSync("git", ["clone", "--quiet", projectRoot, clone]);
  if (commit !== undefined) execFileSync("git", ["-C", clone, "checkout", "--quiet", commit]);
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
  const cpu = cpuSampler(child.pid!); // spawned, so it has a pid
  const sampling = setInterval(cpu.sample, 100);
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = readyLine.exec(output);
      if (!match) return;
      const wallMs = Math.round(performance.now() - started);
      cpu.sample();
      clearInterval(sampling);
      const cpuMs = cpu.totalMs();
      child.stdout.removeAllListeners("data");
      child.once("exit", () =>
        resolve({ kind, wallMs, cpuMs, readyMs: Number(match[1]), phases: match.slice(2, 5), load }),
      );
      child.kill("SIGINT");
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearInterval(sampling);
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
  const ms = (value: string | undefined) => (value === undefined ? "-" : `${value} ms`);
  printTable(
    ["run", "wall to ready", "CPU to ready", "ready line", "stack", "peers", "job bundles", "load (1 min)"],
    runs.map((run) => [
      run.kind,
      `${run.wallMs} ms`,
      `${run.cpuMs} ms`,
      `${run.readyMs} ms`,
      ...run.phases.map(ms),
      run.load.toFixed(1),
    ]),
  );
  const medianOf = (kind: Run["kind"], figure: "wallMs" | "cpuMs") =>
    median(runs.filter((run) => run.kind === kind).map((run) => run[figure]));
  for (const figure of ["wallMs", "cpuMs"] as const) {
    const cold = medianOf("cold", figure);
    const warm = medianOf("warm", figure);
    console.log(
      `median ${figure === "wallMs" ? "wall" : "CPU"} to ready: cold ${cold} ms, warm ${warm} ms, cold/warm ${(cold / warm).toFixed(2)}x`,
    );
  }
  console.log(`(${commit ?? "HEAD"}; goal: cold wall under 5000 ms on an otherwise idle machine)`);
}

void main();
