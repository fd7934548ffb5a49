/**
 * The running loop: local peers, the local stack's jobs on their schedules
 * (virtual time), the alarm evaluator, and the operator's view (one line
 * per run, ALARM/OK transitions), also kept as a transcript for scenarios.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlarmEvaluator } from "./alarm-evaluator";
import { runJobProcess, type JobRun } from "./job-process";
import { localEnvironment } from "./local-environment";
import { officialDeployment } from "../../infra/official-table";
import type { LocalJob, LocalStack } from "./local-stack";
import { localConfigId, localStack, localStackLoaded } from "./stack-process";
import { startLocalPeers, type LocalPeers } from "./peers";
import { summarizeRun } from "./run-summary";
import { startVirtualClock, type VirtualClock } from "./virtual-clock";

export type World = {
  stack: LocalStack;
  peers: LocalPeers;
  clock: VirtualClock;
  alarms: AlarmEvaluator;
  /** Every line printed so far. */
  transcript: string[];
  runs: JobRun[];
  /** Runs every job whose schedule is due at the current virtual time, then evaluates the alarms. */
  runDue(): Promise<JobRun[]>;
  /** Runs one job now, whatever its schedule, then evaluates the alarms. */
  runNow(job: string): Promise<JobRun>;
  /** Jumps virtual time forward (anvil follows) and runs what is due. */
  advance(seconds: number): Promise<JobRun[]>;
  /** Ms of real time until the next scheduled run. */
  msUntilNextRun(): number;
  stop(): Promise<void>;
};

/** Milliseconds from `since` until the promise settles. */
function timed<T>(promise: Promise<T>, since: number): Promise<{ value: T; ms: number }> {
  return promise.then((value) => ({ value, ms: Math.round(performance.now() - since) }));
}

export async function startWorld(options: {
  print: (line: string) => void;
  /** performance.now() the ready time counts from: 0 is the process start; defaults to now. */
  startedAt?: number;
}): Promise<World> {
  const started = options.startedAt ?? performance.now();
  const since = performance.now();
  const stackShared = localStackLoaded();
  // The evaluation and the peers start together; the tables follow once the stack has named them.
  const official = officialDeployment(localConfigId);
  if (!official) throw new Error(`${localConfigId} is not in the official table`);
  const [stackResult, peersResult] = await Promise.allSettled([
    localStack(),
    timed(startLocalPeers({ tables: [], expectedDiamond: official.protocolDiamond }), since),
  ]);
  if (stackResult.status === "rejected") {
    if (peersResult.status === "fulfilled") await peersResult.value.value.stop();
    throw stackResult.reason;
  }
  if (peersResult.status === "rejected") throw peersResult.reason;
  const { stack, bundles: code, bundlesMs } = stackResult.value;
  const peers = peersResult.value.value;
  const directory = mkdtempSync(join(tmpdir(), "boson-dev-"));
  const live = new Set<() => void>();
  const track = (kill: () => void) => (live.add(kill), () => live.delete(kill));
  let stopped = false;
  const stop = async () => {
    stopped = true;
    for (const kill of live) kill();
    await peers.stop();
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    if (stack.config.protocol.diamond !== official.protocolDiamond)
      throw new Error("the local stack's diamond is not the official one (H1)");
    await Promise.all(stack.tables.map((table) => peers.dynalite.createTable(table)));
    const bundles = new Map(
      Object.entries(code).map(([job, text]) => {
        const file = join(directory, `${job}.js`);
        writeFileSync(file, text);
        return [job, file] as const;
      }),
    );
    const clock = await startVirtualClock(peers.fixture);
    const alarms = new AlarmEvaluator(stack.alarms);
    const transcript: string[] = [];
    const runs: JobRun[] = [];
    const print = (line: string) => {
      // A run cut short by stop() is not news: its job process was killed on purpose.
      if (stopped) return;
      transcript.push(line);
      options.print(line);
    };
    const nextDue = new Map(stack.jobs.map((job) => [job.job, clock.now()]));

    const evaluateAlarms = () => {
      // An alarm's first OK is not news; ALARM, and OK after ALARM, are.
      for (const change of alarms.evaluate(clock.now()))
        if (change.to === "ALARM" || change.from === "ALARM") print(`${change.to} ${change.alarm}`);
    };
    const run = async (job: LocalJob): Promise<JobRun> => {
      const at = clock.now();
      const result = await runJobProcess({
        job: job.job,
        bundle: bundles.get(job.job)!,
        environment: localEnvironment(job, peers),
        at,
        offsetMs: clock.offsetMs(),
        track,
      }); // every scheduled job was bundled above
      runs.push(result);
      // The Lambda service's own metric: an invocation that threw counts as an error.
      alarms.record(at, [
        ...result.metrics,
        {
          namespace: "AWS/Lambda",
          name: "Errors",
          value: result.error ? 1 : 0,
          dimensions: { FunctionName: job.functionName },
        },
      ]);
      print(summarizeRun(result, new Date(at)));
      nextDue.set(job.job, at + job.intervalSeconds * 1000);
      return result;
    };
    const runDue = async () => {
      const due = stack.jobs.filter((job) => (nextDue.get(job.job) ?? 0) <= clock.now());
      const results: JobRun[] = [];
      for (const job of due) results.push(await run(job));
      evaluateAlarms();
      return results;
    };
    print(
      `local stack "${stack.config.stack}" (${stack.config.configId}): diamond ${peers.fixture.diamond}, seller ${peers.seller.id}, signer ${peers.signer}, offer ${peers.offerId}`,
    );
    const phases = stackShared
      ? [`peers ${peersResult.value.ms} ms`, "stack evaluated once, shared"]
      : [
          `stack ${stackResult.value.ms} ms`,
          `peers ${peersResult.value.ms} ms`,
          ...(bundlesMs === undefined ? [] : [`job bundles ${bundlesMs} ms`]),
        ];
    print(
      `jobs: ${stack.jobs.map((job) => `${job.job} ${job.scheduleExpression}`).join(", ")}; ${stack.alarms.length} alarms`,
    );
    print(
      `ready in ${Math.round(performance.now() - started)} ms${options.startedAt === 0 ? " from process start" : ""} (${phases.join(", ")})`,
    );
    return {
      stack,
      peers,
      clock,
      alarms,
      transcript,
      runs,
      runDue,
      runNow: async (name) => {
        const job = stack.jobs.find((candidate) => candidate.job === name);
        if (!job) throw new Error(`the local stack schedules no job "${name}"`);
        const result = await run(job);
        evaluateAlarms();
        return result;
      },
      advance: async (seconds) => {
        await clock.advance(seconds);
        return runDue();
      },
      msUntilNextRun: () => Math.max(0, Math.min(...[...nextDue.values()]) - clock.now()),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
