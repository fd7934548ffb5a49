/**
 * The offline plan: `npm run plan -- --stack <name> [--json FILE]`.
 * Evaluates the Pulumi program in-process with mocks (no CLI, no cloud
 * account, no network) using Pulumi.<stack>.yaml, and prints the resources it
 * would create, grouped by component. `--dir` reads the stack file from
 * another folder (a copy under review, say).
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError } from "../infra/config";
import { evaluateStack, type RecordedResource, type StackEvaluation } from "../infra/offline/evaluate";
import { withoutFabricated } from "../infra/offline/known-after-deploy";
import { summarizeResource } from "../infra/offline/resource-summary";
import { signerSummary } from "./signer-summary";

function children(resources: readonly RecordedResource[], parentUrn: string): RecordedResource[] {
  return resources.filter((resource) => resource.parent === parentUrn);
}

/** The options that decide what a deploy may delete: shown on the resource's line. */
function optionFlags(resource: RecordedResource): string {
  const options = resource.options;
  if (!options) return "";
  const flags = [
    options.protect && "protect",
    options.retainOnDelete && "retainOnDelete",
    options.deleteBeforeReplace && "deleteBeforeReplace",
  ];
  const shown = flags.filter((flag): flag is string => typeof flag === "string");
  return shown.length > 0 ? ` [${shown.join(", ")}]` : "";
}

function renderTree(resources: readonly RecordedResource[], parent: RecordedResource, depth: number): string[] {
  return children(resources, parent.urn).flatMap((child) => {
    const line =
      `${"  ".repeat(depth)}${child.custom ? "-" : "+"} ${child.type} ${child.name}${optionFlags(child)}  ${summarizeResource(child)}`.trimEnd();
    return [line, ...renderTree(resources, child, depth + 1)];
  });
}

/**
 * The evaluation as the plan shows it: every value the mocks made up (ids,
 * ARNs, IPs, the signer's address) replaced by "(known after deploy)".
 */
export function displayedEvaluation(evaluation: StackEvaluation): StackEvaluation {
  const { fabricated } = evaluation;
  return {
    ...evaluation,
    resources: evaluation.resources.map((resource) => ({
      ...resource,
      inputs: withoutFabricated(resource.inputs, fabricated),
      computed: withoutFabricated(resource.computed ?? {}, fabricated),
    })),
    outputs: withoutFabricated(evaluation.outputs, fabricated),
    // What was replaced is not shown either.
    fabricated: [],
  };
}

/** The human-readable plan: header, secret placeholders, then one block per component. */
export function renderPlan(evaluation: StackEvaluation): string {
  const { config, resources } = displayedEvaluation(evaluation);
  const stackResource = resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
  const custom = resources.filter((resource) => resource.custom);
  const lines = [
    `stack ${config.stack} (${config.environment}): configId ${config.configId}, chain ${config.chain.id} ${config.chain.name}, ${config.confirmations} confirmations`,
    `AWS region ${config.aws.region}, account ${config.aws.accountId ?? "unknown (set aws:allowedAccountIds)"}; GCP project ${config.gcp.project} (${config.gcp.region})`,
    `protocol diamond ${config.protocol.diamond} from ${config.protocol.source}`,
    `${custom.length} resources in ${resources.length - custom.length - 1} components`,
    `values that exist only after deploy (addresses, key ids, IPs, account-specific ARNs) show as "(known after deploy)"`,
  ];
  for (const placeholder of config.placeholders) {
    lines.push(
      `note: secret ${placeholder.key} is ${placeholder.reason} here; the plan uses a placeholder in its place`,
    );
  }
  lines.push(...signerSummary(config).map((line) => `note: ${line}`));
  if (stackResource) {
    lines.push("", ...renderTree(resources, stackResource, 0));
  }
  const outputs = Object.entries(displayedEvaluation(evaluation).outputs).map(
    ([key, value]) => `  ${key}: ${JSON.stringify(value)}`,
  );
  if (outputs.length > 0) lines.push("", "outputs:", ...outputs);
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { stack: { type: "string" }, json: { type: "string" }, dir: { type: "string" } },
  });
  if (!values.stack)
    throw new Error("usage: npm run plan -- --stack <name> [--json FILE] [--dir DIR-WITH-STACK-FILES]");
  const evaluation = await evaluateStack(values.stack, values.dir);
  console.log(renderPlan(evaluation));
  if (values.json) {
    const { config, resources, outputs } = displayedEvaluation(evaluation);
    const header = {
      stack: config.stack,
      configId: config.configId,
      awsRegion: config.aws.region,
      awsAccount: config.aws.accountId ?? "unknown",
      gcpProject: config.gcp.project,
    };
    writeFileSync(
      values.json,
      `${JSON.stringify({ ...header, placeholders: config.placeholders, resources, outputs }, null, 2)}\n`,
    );
    console.log(`\nwrote ${values.json}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `plan failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
