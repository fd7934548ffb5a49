/**
 * `npm run rotate-signer -- --stack <name> --rpc <url> --key g1=<ARN> [--key g2=<ARN>] [--dry-run] [--reports DIR]`
 *
 * Walks the assistant rotation (tools/rotate-signer/steps.ts): it checks the
 * chain and KMS before each step, takes the steps it can sign itself, prints
 * the admin's `updateSeller` transaction and the config commands of each
 * deploy step, and stops there; run it again after each. The key ARNs come
 * from `pulumi stack output assistantGenerations`.
 *
 * `--dry-run` rehearses the whole walk on a local anvil fork of `--rpc`
 * (tools/rotate-signer/dry-run.ts): nothing reaches the real chain, no KMS key
 * signs, is created or is disabled. For the `local` stack, without `--rpc`,
 * it forks the local protocol fixture (its key on the kit's KMS endpoint).
 * The rehearsal is recorded in reports/<stack>/rotation-rehearsal.json for
 * the readiness report.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { KMSClient } from "@aws-sdk/client-kms";
import { createPublicClient, defineChain, http, type Chain, type PublicClient, type Transport } from "viem";
import { ConfigError, parseKitConfig, type KitConfig } from "../infra/config";
import { readStackFile } from "../infra/offline/stack-file";
import { defaultReportsDir } from "./signer-summary";
import { startRehearsal, type Rehearsal } from "./rotate-signer/dry-run";
import { startLocalSellerChain, type LocalSellerChain } from "./rotate-signer/local-chain";
import { walkRotation, type RotationResult, type SignerGenerations } from "./rotate-signer/walk";

const usage =
  "usage: npm run rotate-signer -- --stack <name> --rpc <url> --key g1=<ARN> [--key g2=<ARN>] [--dry-run] [--reports DIR] (the local stack's dry run needs no --rpc and no --key)";

function keyMap(entries: readonly string[]): Map<number, string> {
  return new Map(
    entries.map((entry) => {
      const match = /^g([0-9]+)=(arn:aws:kms:\S+)$/.exec(entry);
      if (!match)
        throw new Error(
          `--key ${entry}: expected g<generation>=<key ARN>, such as g1=arn:aws:kms:eu-west-1:123456789012:key/mrk-...`,
        );
      return [Number(match[1]), match[2] as string];
    }),
  );
}

function chainClient(config: KitConfig, rpcUrl: string): PublicClient<Transport, Chain> {
  const chain = defineChain({
    id: config.chain.id,
    name: config.chain.name,
    nativeCurrency: { name: "native", symbol: "NATIVE", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  return createPublicClient({ chain, transport: http(rpcUrl) });
}

/** Where the rehearsal forks from, and which KMS it reads: the stack's, or the local fixture's for the local stack. */
async function rehearsalSource(
  config: KitConfig,
  rpc: string | undefined,
  keys: Map<number, string>,
): Promise<{ rpcUrl: string; kms: KMSClient; local?: LocalSellerChain }> {
  if (rpc !== undefined) return { rpcUrl: rpc, kms: new KMSClient({ region: config.aws.region, maxAttempts: 1 }) };
  if (!config.configId.startsWith("local-"))
    throw new Error(`--rpc is required for stack ${config.stack}: the dry run forks the stack's chain from it`);
  const local = await startLocalSellerChain(config);
  if (!keys.has(config.signer.generation)) keys.set(config.signer.generation, local.keyArn);
  return { rpcUrl: local.anvil.rpcUrl, kms: local.kms.client(), local };
}

function recordRehearsal(dir: string, config: KitConfig, result: RotationResult, log: readonly string[]): string {
  mkdirSync(join(dir, config.stack), { recursive: true });
  const file = join(dir, config.stack, "rotation-rehearsal.json");
  const record = {
    stack: config.stack,
    at: new Date().toISOString(),
    fork: true,
    complete: result.complete,
    steps: result.steps.map((step) => ({ id: step.id, done: step.done })),
    log,
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      rpc: { type: "string" },
      key: { type: "string", multiple: true },
      "dry-run": { type: "boolean" },
      reports: { type: "string" },
    },
  });
  const dryRun = values["dry-run"] === true;
  if (!values.stack || (!values.rpc && !dryRun)) throw new Error(usage);
  const config = parseKitConfig(readStackFile(values.stack));
  const keys = keyMap(values.key ?? []);
  const initial: SignerGenerations = {
    generation: config.signer.generation,
    pendingGeneration: config.signer.pendingGeneration,
    retiredGenerations: config.signer.retiredGenerations,
  };
  const log: string[] = [];
  const print = (line: string) => {
    log.push(line);
    console.log(line);
  };
  const source = dryRun
    ? await rehearsalSource(config, values.rpc, keys)
    : { rpcUrl: values.rpc as string, kms: new KMSClient({ region: config.aws.region, maxAttempts: 1 }) };
  let rehearsal: Rehearsal | undefined;
  try {
    if (dryRun) {
      rehearsal = await startRehearsal({
        chainId: config.chain.id,
        forkOf: source.rpcUrl,
        admin: config.seller.admin,
        initial,
        keyOf: (generation) => keys.get(generation),
        log: print,
      });
      print(`dry run for stack ${config.stack}: rehearsing on a local anvil fork; nothing is sent to the real chain`);
    }
    const rpcUrl = rehearsal?.rpcUrl ?? source.rpcUrl;
    const result = await walkRotation({
      stack: config.stack,
      chain: {
        client: rehearsal?.client ?? chainClient(config, rpcUrl),
        rpcUrl,
        diamond: config.protocol.diamond,
        sellerId: BigInt(config.seller.id),
      },
      kms: source.kms,
      keyOf: (generation) => keys.get(generation),
      config: () => initial,
      log: print,
      ...(rehearsal?.executors ?? {}),
    });
    if (!dryRun) return result.complete ? 0 : 2;
    const file = recordRehearsal(values.reports ?? defaultReportsDir, config, result, log);
    print(
      `rehearsal ${result.complete ? "complete" : "stopped"}: recorded in ${file}; the live keys' state is unchanged (the real deploy disables the old key)`,
    );
    return result.complete ? 0 : 2;
  } finally {
    await rehearsal?.stop();
    await source.local?.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof ConfigError ? error.message : `rotate-signer failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
