/**
 * Preflight: `npm run preflight -- --stack <name> [--dir DIR]`.
 * Read-only checks against the real AWS account and GCP project, with the
 * caller's own credentials, of what `pulumi up` would otherwise find out
 * halfway through a deploy: who is deploying, account quotas, zones, the
 * principals the signing key's policy names, CloudTrail, secrets, GCP APIs and
 * reusable ids. It reads the stack file, evaluates the program offline to
 * learn what the stack needs, and prints one table; exit 1 if a check fails.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { ConfigError } from "../infra/config";
import { projectRoot } from "../infra/offline/stack-file";
import { evaluateStack } from "../infra/offline/evaluate";
import { createAwsClients, type AwsClientOptions } from "./preflight/aws-clients";
import type { CheckResult, StackFileFacts } from "./preflight/check";
import { closeGcpClients, createGcpClients, type GcpClientOptions } from "./preflight/gcp-clients";
import { preflightExitCode, renderReport } from "./preflight/report";
import { preflightChecks, runPreflight } from "./preflight/run";
import { stackNeeds } from "./preflight/stack-needs";

/** The stack file's top-level keys preflight reports on (Pulumi writes them beside `config:`). */
export function readStackFileFacts(stack: string, root = projectRoot): StackFileFacts {
  const document = (parse(readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8")) ?? {}) as Record<string, unknown>;
  const config = (document.config ?? {}) as Record<string, unknown>;
  const raw = config["aws:allowedAccountIds"];
  const list: unknown = typeof raw === "string" && raw.trim().startsWith("[") ? JSON.parse(raw) : raw;
  return {
    ...(typeof document.secretsprovider === "string" ? { secretsProvider: document.secretsprovider } : {}),
    encryptionSalt: typeof document.encryptionsalt === "string",
    ...(Array.isArray(list) ? { allowedAccountIds: list.map(String) } : {}),
  };
}

export interface PreflightOptions {
  readonly stack: string;
  /** Where Pulumi.<stack>.yaml is; the project root by default. */
  readonly root?: string;
  /** Endpoints and credentials (tests); the region always comes from the stack. */
  readonly aws?: Omit<AwsClientOptions, "region">;
  readonly gcp?: GcpClientOptions;
}

export interface PreflightOutcome {
  readonly results: readonly CheckResult[];
  readonly report: string;
  readonly exitCode: number;
}

export async function preflight(options: PreflightOptions): Promise<PreflightOutcome> {
  const evaluation = await evaluateStack(options.stack, options.root);
  const { config } = evaluation;
  const aws = createAwsClients({ ...options.aws, region: config.aws.region });
  const gcp = createGcpClients(options.gcp);
  try {
    const results = await runPreflight({
      config,
      needs: stackNeeds(evaluation),
      stackFile: readStackFileFacts(options.stack, options.root),
      aws,
      gcp,
    });
    const scope = `AWS ${config.aws.region}, GCP project ${config.gcp.project}`;
    return { results, report: renderReport(config.stack, results, scope), exitCode: preflightExitCode(results) };
  } finally {
    for (const client of Object.values(aws)) client.destroy();
    await closeGcpClients(gcp);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { stack: { type: "string" }, dir: { type: "string" } } });
  if (!values.stack) {
    throw new Error(
      `usage: npm run preflight -- --stack <name> [--dir DIR-WITH-STACK-FILES]\nchecks: ${preflightChecks.map((check) => check.name).join(", ")}`,
    );
  }
  const outcome = await preflight({ stack: values.stack, ...(values.dir ? { root: values.dir } : {}) });
  console.log(outcome.report);
  process.exitCode = outcome.exitCode;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `preflight failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
