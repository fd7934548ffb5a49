import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * `npm run dev` as a user runs it: CI's short scenario set through the npm
 * script itself, with its verdict line and exit code; Ctrl-C (to the script's
 * tsx process, as a terminal sends it) leaving nothing running.
 */
const projectRoot = join(__dirname, "..", "..");
const tsx = join(projectRoot, "node_modules", ".bin", "tsx");

function startDev(
  args: readonly string[],
  via: "npm" | "tsx" = "tsx",
): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const [command, prefix] = via === "npm" ? ["npm", ["run", "-s", "dev", "--"]] : [tsx, ["tools/dev.ts"]];
  const child = spawn(command, [...prefix, ...args], { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Every live descendant of `pid`, from /proc (Linux, as CI). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we read
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const child of parents.get(parent) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/** Still running: exists and is not a zombie (a killed orphan waits there until its new parent reaps it). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

/** The command line of a live process, or "" once it is gone. */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

async function waitFor(
  condition: () => boolean,
  what: string,
  dev: { exited: Promise<unknown>; output: () => string },
) {
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (condition()) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    void dev.exited.then(() => {
      clearInterval(timer);
      reject(new Error(`npm run dev exited before ${what}:\n${dev.output()}`));
    });
  });
}

/** The command lines of `tree`'s processes still running after up to 10 s (killed processes take a moment on a loaded machine). */
async function survivors(tree: readonly number[]): Promise<string[]> {
  for (let waited = 0; waited < 10_000 && tree.some(alive); waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
  return tree.filter(alive).map(commandLine);
}

describe("npm run dev", () => {
  it("runs CI's short scenario set and ends with the verdict line and exit code 0", async () => {
    const dev = startDev(["--scenario", "buyer-journey,diamond-cut,stuck-transaction"], "npm");
    const code = await dev.exited;
    const lines = dev.output().trim().split("\n");
    expect(lines.filter((line) => line.startsWith("PASS ")).map((line) => line.replace(/ \(\d+\.\d s\)$/, ""))).toEqual(
      ["PASS buyer-journey", "PASS diamond-cut", "PASS stuck-transaction"],
    );
    expect(lines.at(-1)).toBe("scenarios: 3 passed, 0 failed");
    expect(code).toBe(0);
  }, 180_000);

  it("refuses an unknown scenario with the list of known ones", async () => {
    const dev = startDev(["--scenario", "no-such-world"]);
    expect(await dev.exited).toBe(64);
    expect(dev.output()).toMatch(/unknown scenario: no-such-world[\s\S]*scenarios: buyer-journey, /);
  }, 60_000);

  it("stops everything it started on SIGINT: anvil, the job processes, every peer", async () => {
    const dev = startDev([]);
    await waitFor(() => /watcher +succeeded/.test(dev.output()), "the watcher's first run", dev);
    const tree = descendants(dev.child.pid!); // spawned above, so it has a pid
    expect(tree.length).toBeGreaterThan(1); // tsx's node process and anvil at least
    dev.child.kill("SIGINT");
    await dev.exited;
    expect(await survivors(tree)).toEqual([]);
    expect(dev.output()).toMatch(/SIGINT: stopping/);
  }, 120_000);

  it("stops everything on SIGINT while still starting: anvil and the stack's evaluation process", async () => {
    const dev = startDev([]);
    const starting = () => descendants(dev.child.pid!).map(commandLine); // spawned above, so it has a pid
    await waitFor(
      () =>
        starting().some((command) => /\banvil\b/.test(command)) &&
        starting().some((command) => /stack-child/.test(command)),
      "anvil and the stack's evaluation started",
      dev,
    );
    const tree = descendants(dev.child.pid!); // as above
    expect(dev.output()).not.toMatch(/ready in/);
    dev.child.kill("SIGINT");
    await dev.exited;
    expect(await survivors(tree)).toEqual([]);
  }, 120_000);
});
