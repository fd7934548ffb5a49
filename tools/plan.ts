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
import { summarizeResource } from "../infra/offline/resource-summary";
import { signerSummary } from "./signer-summary";

function children(resources: readonly RecordedResource[], parentUrn: string): RecordedResource[] {
  return resources.filter((resource) => resource.parent === parentUrn);
}

function renderTree(resources: readonly RecordedResource[], parent: RecordedResource, depth: number): string[] {
  return children(resources, parent.urn).flatMap((child) => {
    const line = `${"  ".repeat(depth)}${child.custom ? "-" : "+"} ${child.type} ${child.name}  ${summarizeResource(child)}`.trimEnd();
    return [line, ...renderTree(resources, child, depth + 1)];
  });
}

/** The human-readable plan: header, secret placeholders, then one block per component. */
export function renderPlan(evaluation: StackEvaluation): string {
  const { config, resources } = evaluation;
  const stackResource = resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
  const custom = resources.filter((resource) => resource.custom);
  const lines = [
    `stack ${config.stack} (${config.environment}): configId ${config.configId}, chain ${config.chain.id} ${config.chain.name}, ${config.confirmations} confirmations`,
    `protocol diamond ${config.protocol.diamond} from ${config.protocol.source}`,
    `${custom.length} resources in ${resources.length - custom.length - 1} components`,
  ];
  for (const placeholder of config.placeholders) {
    lines.push(`note: secret ${placeholder.key} is ${placeholder.reason} here; the plan uses a placeholder in its place`);
  }
  lines.push(...signerSummary(config).map((line) => `note: ${line}`));
  if (stackResource) {
    lines.push("", ...renderTree(resources, stackResource, 0));
  }
  const outputs = Object.entries(evaluation.outputs).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`);
  if (outputs.length > 0) lines.push("", "outputs:", ...outputs);
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { stack: { type: "string" }, json: { type: "string" }, dir: { type: "string" } } });
  if (!values.stack) throw new Error("usage: npm run plan -- --stack <name> [--json FILE] [--dir DIR-WITH-STACK-FILES]");
  const evaluation = await evaluateStack(values.stack, values.dir);
  console.log(renderPlan(evaluation));
  if (values.json) {
    const { config, resources, outputs } = evaluation;
    writeFileSync(values.json, `${JSON.stringify({ stack: config.stack, configId: config.configId, placeholders: config.placeholders, resources, outputs }, null, 2)}\n`);
    console.log(`\nwrote ${values.json}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `plan failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
