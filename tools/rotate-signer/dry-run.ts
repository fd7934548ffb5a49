/**
 * The rehearsal behind `rotate-signer --dry-run`: the whole rotation on a
 * local anvil fork of the stack's chain. Every account is impersonated on the
 * fork (anvil's `--auto-impersonate`), so the admin's `updateSeller`, the new
 * key's opt-in and the gas move run unsigned: a rehearsal makes no KMS
 * signature, creates no key and disables none. Deploy steps change the signer
 * generations in memory; a key that does not exist yet is stood in for by a
 * throwaway address. Nothing is sent to the stack's real chain.
 */
import {
  createPublicClient,
  createWalletClient,
  http,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { privateKeyToAccount, generatePrivateKey } from "viem/accounts";
import { startAnvil } from "../../test/harness/anvil";
import type { RotationDeps, SignerGenerations, TransactionRequest } from "./walk";

export type Rehearsal = {
  rpcUrl: string;
  client: PublicClient<Transport, Chain>;
  /** The executors the walk runs every step with, on the fork. */
  executors: Required<Pick<RotationDeps, "admin" | "deploy" | "keyDisabled" | "sendAs" | "standIn" | "config">>;
  /** Keys the rehearsed deploy would disable (their live state is not changed). */
  disabledKeys(): string[];
  stop(): Promise<void>;
};

export async function startRehearsal(options: {
  chainId: number;
  /** The chain to fork: the stack's RPC, or the local fixture's anvil. Never written to. */
  forkOf: string;
  admin: Address;
  initial: SignerGenerations;
  keyOf: (generation: number) => string | undefined;
  log: (line: string) => void;
}): Promise<Rehearsal> {
  const fork = await startAnvil({
    chainId: options.chainId,
    args: ["--fork-url", options.forkOf, "--auto-impersonate"],
  });
  const client = createPublicClient({ chain: fork.chain, transport: http(fork.rpcUrl) }) as PublicClient<
    Transport,
    Chain
  >;
  const wallet = createWalletClient({ chain: fork.chain, transport: http(fork.rpcUrl) });
  let generations = options.initial;
  const disabled = new Set<string>();
  const standIns = new Map<number, Address>();

  const sendAs = async (from: Address, request: TransactionRequest): Promise<Hex> => {
    const hash = await wallet.sendTransaction({ account: from, chain: fork.chain, ...request });
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success")
      throw new Error(`rehearsed transaction ${hash} from ${from} reverted on the fork`);
    options.log(`  (dry run: sent as ${from} on the fork, unsigned; the real run signs it in KMS)`);
    return hash;
  };

  return {
    rpcUrl: fork.rpcUrl,
    client,
    executors: {
      config: () => generations,
      admin: async (transaction) => {
        // The admin needs gas on the fork only; its real balance is untouched.
        await client.request({
          method: "anvil_setBalance" as never,
          params: [options.admin, "0xDE0B6B3A7640000"] as never,
        });
        await sendAs(options.admin, transaction);
      },
      deploy: async (step) => {
        if (step.id === "new-key") {
          const target = generations.generation + 1;
          if (options.keyOf(target) === undefined) {
            // A throwaway address: its private key is dropped at once, and the fork impersonates it anyway.
            standIns.set(target, privateKeyToAccount(generatePrivateKey()).address);
            options.log(
              `  (dry run: generation ${target} does not exist yet; a stand-in address plays the new key, no KMS key is created)`,
            );
          }
          generations = { ...generations, pendingGeneration: target };
          return;
        }
        const target = generations.pendingGeneration ?? generations.generation + 1;
        const old = options.keyOf(target - 1);
        if (old) disabled.add(old);
        generations = {
          generation: target,
          pendingGeneration: undefined,
          retiredGenerations: [...generations.retiredGenerations, target - 1],
        };
        options.log(
          `  (dry run: the deploy is applied in memory; it would disable generation ${target - 1}'s key, the live key is not touched)`,
        );
      },
      keyDisabled: (keyId) => disabled.has(keyId),
      sendAs,
      standIn: (generation) => standIns.get(generation),
    },
    disabledKeys: () => [...disabled],
    stop: () => fork.stop(),
  };
}
