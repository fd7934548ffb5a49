/**
 * Evaluates the `local` stack in a child process (stack-child.ts), once per
 * `npm run dev`: every world of a scenario run shares the result. The loop
 * itself never loads Pulumi, so the peers start on one core while the
 * evaluation and the bundles run on the other.
 */
import { fork } from "node:child_process";
import { join } from "node:path";
import type { LocalStack } from "./local-stack";

export const localStackName = "local";
/** The official configId Pulumi.local.yaml names. */
export const localConfigId = "local-31337-0";

export type LoadedStack = {
  stack: LocalStack;
  /** The scheduled jobs' deployment bundles (index.js), by job. */
  bundles: Record<string, string>;
  /** How long bundling every Lambda took in the child; undefined if it failed (the evaluation says why). */
  bundlesMs: number | undefined;
};

export type StackMessage = LoadedStack | { error: string };

let loading: Promise<LoadedStack & { ms: number }> | undefined;
let loaded = false;

/** Whether the stack was already evaluated (a later scenario world shares it). */
export function localStackLoaded(): boolean {
  return loaded;
}

/** The local stack, evaluated in a child process on first call; later calls share it. */
export function localStack(): Promise<LoadedStack & { ms: number }> {
  loading ??= new Promise((resolve, reject) => {
    const started = performance.now();
    // fork() reuses this process's execArgv: under tsx, the child loads TypeScript the same way.
    // Its own process group, so one signal also ends the esbuild process it starts.
    const child = fork(join(__dirname, "stack-child.ts"), [], {
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      detached: true,
    });
    // Warnings the evaluation prints (deprecations) are noise in the loop's output; kept for a failure.
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group has already exited
      }
    };
    process.once("exit", kill);
    let answered = false;
    child.once("message", (message: StackMessage) => {
      answered = true;
      if ("error" in message) reject(new Error(`the local stack does not evaluate: ${message.error}`));
      else {
        loaded = true;
        resolve({ ...message, ms: Math.round(performance.now() - started) });
      }
    });
    child.once("exit", (code, signal) => {
      process.removeListener("exit", kill);
      if (!answered)
        reject(new Error(`the local stack's evaluation exited (${String(code ?? signal)}): ${stderr.trim()}`));
    });
  });
  return loading;
}
