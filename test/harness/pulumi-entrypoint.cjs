/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script: it must register ts-node before loading TypeScript */
/**
 * Runs the kit's Pulumi entrypoint (Pulumi.yaml `main`, infra/index.ts) the
 * way the Pulumi CLI's nodejs host does: the vendored ts-node with the
 * project's TypeScript and tsconfig.json, config handed over by the engine
 * (PULUMI_CONFIG-style values and PULUMI_CONFIG_SECRET_KEYS), under the kit's
 * mocks instead of a deployment engine. Prints the stack outputs as JSON.
 *
 * usage: node test/harness/pulumi-entrypoint.cjs <stack> <config JSON> <secret keys JSON> [caller ARN] [Lambda concurrency quota]
 */
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");

const [stack, configJson, secretKeysJson, callerArn, concurrencyQuota] = process.argv.slice(2);
const vendoredTsNode = path.join(path.dirname(require.resolve("@pulumi/pulumi")), "vendor", "ts-node@7.0.1");
require(vendoredTsNode).register({
  compiler: "typescript",
  project: "tsconfig.json",
  skipProject: false,
  compilerOptions: {},
});
const { kitMocks } = require("../../infra/offline/mocks.ts");

async function main() {
  const config = JSON.parse(configJson);
  process.env.PULUMI_CONFIG_SECRET_KEYS = secretKeysJson;
  const options = {
    ...(callerArn ? { callerArn } : {}),
    ...(concurrencyQuota ? { lambdaConcurrencyQuota: Number(concurrencyQuota) } : {}),
  };
  await pulumi.runtime.setMocks(kitMocks(config["aws:region"], new Map(), options), "boson-kit", stack, false);
  pulumi.runtime.setAllConfig(config, JSON.parse(secretKeysJson));
  const outputs = await pulumi.runtime.runInPulumiStack(async () => require("../../infra/index.ts"));
  process.stdout.write(`${JSON.stringify(outputs)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
