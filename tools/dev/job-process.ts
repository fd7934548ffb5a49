/**
 * Runs one invocation of a job's deployed bundle in its own Node process,
 * with the function's environment and the virtual clock, and returns what
 * the handler returned and the JSON lines it printed (logs and EMF metrics).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

export type EmfDatapoint = { namespace: string; name: string; value: number; dimensions: Record<string, string> };

export type JobRun = {
  job: string;
  /** Virtual time the run started. */
  at: number;
  outcome: Record<string, unknown> | undefined;
  /** The handler threw (a Lambda error: counted in AWS/Lambda Errors). */
  error: string | undefined;
  lines: Record<string, unknown>[];
  metrics: EmfDatapoint[];
};

const shim = join(__dirname, "clock-shim.cjs");

// The runtime's side of a Lambda invocation, reduced to what the handlers use.
const invoker = `
const { handler } = require(process.env.DEV_BUNDLE);
const context = { awsRequestId: require("node:crypto").randomUUID(), functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => 300000 };
handler(JSON.parse(process.env.DEV_EVENT), context).then(
  (result) => { process.stdout.write("\\nDEV_RESULT " + JSON.stringify(result) + "\\n"); },
  (error) => { process.stdout.write("\\nDEV_ERROR " + JSON.stringify(String(error && error.message || error)) + "\\n"); process.exitCode = 1; },
);`;

/** EMF records (the \`_aws.CloudWatchMetrics\` envelope) to datapoints. */
export function emfDatapoints(line: Record<string, unknown>): EmfDatapoint[] {
  const aws = line._aws as
    { CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } | undefined;
  if (!aws?.CloudWatchMetrics) return [];
  return aws.CloudWatchMetrics.flatMap((directive) =>
    directive.Metrics.flatMap((metric) => {
      const raw = line[metric.Name];
      const values = Array.isArray(raw) ? raw.map(Number) : [Number(raw)];
      const dimensions = Object.fromEntries(
        (directive.Dimensions[0] ?? []).map((dimension) => [dimension, String(line[dimension])]),
      );
      return values.map((value) => ({ namespace: directive.Namespace, name: metric.Name, value, dimensions }));
    }),
  );
}

export function runJobProcess(options: {
  job: string;
  bundle: string;
  environment: Record<string, string>;
  at: number;
  offsetMs: number;
  track: (kill: () => void) => () => void;
}): Promise<JobRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--require", shim, "-e", invoker], {
      env: {
        PATH: process.env.PATH ?? "",
        ...options.environment,
        DEV_BUNDLE: options.bundle,
        DEV_EVENT: JSON.stringify({ source: "schedule", job: options.job }),
        DEV_CLOCK_OFFSET_MS: String(options.offsetMs),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const untrack = options.track(() => child.kill("SIGTERM"));
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", (error) => {
      untrack();
      reject(error);
    });
    child.once("exit", () => {
      untrack();
      const lines: Record<string, unknown>[] = [];
      let outcome: Record<string, unknown> | undefined;
      let error: string | undefined;
      for (const text of output.split("\n")) {
        if (text.startsWith("DEV_RESULT ")) outcome = JSON.parse(text.slice(11)) as Record<string, unknown>;
        else if (text.startsWith("DEV_ERROR ")) error = JSON.parse(text.slice(10)) as string;
        else if (text.startsWith("{")) {
          try {
            lines.push(JSON.parse(text) as Record<string, unknown>);
          } catch {
            // a partial or non-JSON line
          }
        }
      }
      if (outcome === undefined && error === undefined)
        error = `the job process exited without an answer: ${output.trim().split("\n").slice(-3).join(" | ")}`;
      resolve({ job: options.job, at: options.at, outcome, error, lines, metrics: lines.flatMap(emfDatapoints) });
    });
  });
}
