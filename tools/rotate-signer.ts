/**
 * `npm run rotate-signer -- --stack <name> --rpc <url> --key g1=<ARN> [--key g2=<ARN>] [--dry-run]`
 *
 * Walks the assistant rotation (tools/rotate-signer/steps.ts): it checks the
 * chain and KMS before each step, takes the steps it can sign itself, prints
 * the admin's `updateSeller` transaction and the config commands of each
 * deploy step, and stops there; run it again after each. The key ARNs come
 * from `pulumi stack output assistantGenerations`.
 *
 * `--dry-run` rehearses the whole walk on a local anvil fork of `--rpc`: the
 * admin is impersonated, deploy steps change the config in memory, nothing
 * reaches the real chain, and the rehearsal is recorded in
 * reports/<stack>/rotation-rehearsal.json for the readiness report.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { KMSClient } from "@aws-sdk/client-kms";
import { createPublicClient, defineChain, http, type Address } from "viem";
import { ConfigError, parseKitConfig } from "../infra/config";
import { projectRoot, readStackFile } from "../infra/offline/stack-file";
import { startAnvil } from "../test/harness/anvil";
import { walkRotation, type SignerGenerations } from "./rotate-signer/walk";

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

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      rpc: { type: "string" },
      key: { type: "string", multiple: true },
      "dry-run": { type: "boolean" },
    },
  });
  if (!values.stack || !values.rpc)
    throw new Error(
      "usage: npm run rotate-signer -- --stack <name> --rpc <url> --key g1=<ARN> [--key g2=<ARN>] [--dry-run]",
    );
  const config = parseKitConfig(readStackFile(values.stack));
  const keys = keyMap(values.key ?? []);
  let generations: SignerGenerations = {
    generation: config.signer.generation,
    pendingGeneration: config.signer.pendingGeneration,
    retiredGenerations: config.signer.retiredGenerations,
  };
  // The dry run never changes a live key: it only records which key the deploy would disable.
  const disabledInRehearsal = new Set<string>();
  const dryRun = values["dry-run"] === true;
  const fork = dryRun ? await startAnvil({ chainId: config.chain.id, args: ["--fork-url", values.rpc] }) : undefined;
  const log: string[] = [];
  try {
    const rpcUrl = fork?.rpcUrl ?? values.rpc;
    const chain = defineChain({
      id: config.chain.id,
      name: config.chain.name,
      nativeCurrency: { name: "native", symbol: "NATIVE", decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    });
    const client = createPublicClient({ chain, transport: http(rpcUrl) });
    const kms = new KMSClient({ region: config.aws.region, maxAttempts: 1 });
    const result = await walkRotation({
      stack: config.stack,
      chain: { client, rpcUrl, diamond: config.protocol.diamond, sellerId: BigInt(config.seller.id) },
      kms,
      keyOf: (generation) => keys.get(generation),
      config: () => generations,
      log: (line) => {
        log.push(line);
        console.log(line);
      },
      ...(fork
        ? {
            admin: async (transaction: { to: Address; value: bigint; data: `0x${string}` }) => {
              const admin = config.seller.admin;
              await client.request({ method: "anvil_impersonateAccount" as never, params: [admin] as never });
              await client.request({
                method: "anvil_setBalance" as never,
                params: [admin, "0xDE0B6B3A7640000"] as never,
              });
              const hash = await client.request({
                method: "eth_sendTransaction" as never,
                params: [{ from: admin, to: transaction.to, data: transaction.data }] as never,
              });
              await client.waitForTransactionReceipt({ hash: hash as `0x${string}` });
            },
            deploy: async (step: { id: string }) => {
              if (step.id === "new-key")
                throw new Error(
                  "the dry run needs the new key to exist: run the new-key step for real first (it only creates a key nobody uses yet)",
                );
              const target = generations.pendingGeneration ?? generations.generation + 1;
              const old = keys.get(target - 1);
              if (old) disabledInRehearsal.add(old);
              generations = {
                generation: target,
                pendingGeneration: undefined,
                retiredGenerations: [...generations.retiredGenerations, target - 1],
              };
            },
            keyDisabled: (keyId: string) => disabledInRehearsal.has(keyId),
          }
        : {}),
    });
    if (dryRun) {
      const dir = join(projectRoot, "reports", config.stack);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, "rotation-rehearsal.json"),
        `${JSON.stringify({ stack: config.stack, at: new Date().toISOString(), fork: true, complete: result.complete, steps: result.steps.map((step) => ({ id: step.id, done: step.done })), log }, null, 2)}\n`,
      );
      console.log(
        `\nrehearsal recorded in reports/${config.stack}/rotation-rehearsal.json (dry run: the live key's state is not changed; disabling the old key happens at the real deploy)`,
      );
    }
    return result.complete || dryRun ? 0 : 2;
  } finally {
    await fork?.stop();
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
