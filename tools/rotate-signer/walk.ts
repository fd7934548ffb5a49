/**
 * Walks the rotation: observe, take the first step not done, observe again.
 * Steps the tool can take (sign in KMS) it takes; a step for the admin or a
 * deploy is printed and the walk stops there, unless an executor for it was
 * given (the dry run on an anvil fork, and the tests). The dry run also sends
 * the tool's own transactions unsigned, as impersonated accounts on the fork,
 * so a rehearsal makes no KMS signature and creates no key.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import type { Address, Chain, Hex, PublicClient, Transport } from "viem";
import { kmsAccount, type KmsAccount } from "../../lambdas/shared/kms-account/account";
import {
  ASSISTANT_FIELD,
  accountHandlerAbi,
  keyEnabled,
  movableBalance,
  pendingAssistant,
  readSeller,
  sendSigned,
  updateSellerTransaction,
} from "./chain";
import { deployCommands, nextStep, rotationSteps, type RotationState, type RotationStep } from "./steps";
import { encodeFunctionData } from "viem";

export type TransactionRequest = Parameters<typeof sendSigned>[3];

/** A generation's key as the walk knows it: its address, and the KMS account when the key exists. */
type RotationKey = { address: Address; account?: KmsAccount };

export type SignerGenerations = {
  generation: number;
  pendingGeneration: number | undefined;
  retiredGenerations: readonly number[];
};

export type RotationDeps = {
  stack: string;
  chain: { client: PublicClient<Transport, Chain>; rpcUrl: string; diamond: Address; sellerId: bigint };
  kms: KMSClient;
  /** Key id (ARN) of each generation that exists. */
  keyOf(generation: number): string | undefined;
  config(): SignerGenerations;
  /** Executes the admin's transaction (dry run: an impersonated admin on the fork). Absent: print it and stop. */
  admin?: (transaction: { to: Address; value: bigint; data: Hex }) => Promise<void>;
  /** Applies a deploy step (dry run: the config change in memory). Absent: print the commands and stop. */
  deploy?: (step: RotationStep, commands: string[]) => Promise<void>;
  log: (line: string) => void;
  /** Dry run: keys the rehearsed deploy disabled (the live key is left as it is). */
  keyDisabled?: (keyId: string) => boolean;
  /** Dry run: sends as `from` on the fork, unsigned (impersonated). Absent: the key signs in KMS. */
  sendAs?: (from: Address, request: TransactionRequest) => Promise<Hex>;
  /** Dry run: an address standing in for a generation whose key does not exist yet (no KMS key is created). */
  standIn?: (generation: number) => Address | undefined;
};

export type RotationResult = { complete: boolean; stoppedAt?: RotationStep; steps: RotationStep[] };

export async function walkRotation(deps: RotationDeps): Promise<RotationResult> {
  const accounts = new Map<string, Promise<KmsAccount>>();
  const accountFor = (keyId: string) => {
    let account = accounts.get(keyId);
    if (!account) {
      account = kmsAccount({ keyId, client: deps.kms });
      accounts.set(keyId, account);
    }
    return account;
  };
  const send = (key: RotationKey, request: TransactionRequest): Promise<Hex> => {
    if (deps.sendAs) return deps.sendAs(key.address, request);
    if (!key.account) throw new Error(`no KMS key for ${key.address}: pass its ARN with --key`);
    return sendSigned(deps.chain.client, deps.chain.rpcUrl, key.account, request);
  };
  let previous: string | undefined;
  for (let round = 0; round < 12; round++) {
    const { state, oldKey, newKey } = await observe(deps, accountFor);
    const step = nextStep(state);
    const steps = rotationSteps(state);
    if (step === undefined) {
      deps.log("rotation complete: every step is done");
      return { complete: true, steps };
    }
    if (step.id === previous)
      throw new Error(`step ${step.id} is still not done after it ran: check the chain and KMS, then run again`);
    previous = step.id;
    deps.log(`next: ${step.id}: ${step.title}`);
    if (step.actor === "deploy") {
      const commands = deployCommands(deps.stack, step.id, state);
      for (const command of commands) deps.log(`  $ ${command}`);
      if (!deps.deploy) return { complete: false, stoppedAt: step, steps };
      await deps.deploy(step, commands);
      continue;
    }
    if (step.id === "update-seller") {
      const current = await readSeller(deps.chain.client, deps.chain.diamond, deps.chain.sellerId);
      const transaction = updateSellerTransaction(deps.chain.diamond, current, state.newAddress as Address);
      deps.log(
        `  the admin smart account ${current.seller.admin} sends: to ${transaction.to}, value 0, data ${transaction.data}`,
      );
      if (!deps.admin) return { complete: false, stoppedAt: step, steps };
      await deps.admin(transaction);
      continue;
    }
    if (step.id === "opt-in" && newKey) {
      const data = encodeFunctionData({
        abi: accountHandlerAbi,
        functionName: "optInToSellerUpdate",
        args: [deps.chain.sellerId, [ASSISTANT_FIELD]],
      });
      // The new key pays for its opt-in: the old key sends it just enough first (the rest moves in the next step).
      const [gas, fees, balance] = await Promise.all([
        deps.chain.client.estimateGas({ account: newKey.address, to: deps.chain.diamond, data }),
        deps.chain.client.estimateFeesPerGas(),
        deps.chain.client.getBalance({ address: newKey.address }),
      ]);
      const needed = gas * (fees.maxFeePerGas ?? 0n) * 2n;
      if (balance < needed) {
        const hash = await send(oldKey, { to: newKey.address, value: needed - balance });
        deps.log(`  funded the new key's opt-in with ${needed - balance} wei from the old key: ${hash}`);
      }
      const hash = await send(newKey, { to: deps.chain.diamond, data });
      deps.log(`  optInToSellerUpdate from the new key ${newKey.address}: ${hash}`);
      continue;
    }
    if (step.id === "move-gas" && newKey) {
      // The fee fields are fixed, so the whole balance minus the worst-case fee can move.
      const { movable, maxFeePerGas, maxPriorityFeePerGas } = await movableBalance(deps.chain.client, oldKey.address);
      const hash = await send(oldKey, {
        to: newKey.address,
        value: movable,
        gas: 21_000n,
        maxFeePerGas,
        maxPriorityFeePerGas,
      });
      deps.log(`  moved ${movable} wei from ${oldKey.address} to ${newKey.address}: ${hash}`);
      continue;
    }
    throw new Error(`step ${step.id} has nothing to run with`);
  }
  throw new Error("the rotation did not finish in 12 rounds");
}

async function observe(
  deps: RotationDeps,
  accountFor: (keyId: string) => Promise<KmsAccount>,
): Promise<{ state: RotationState; oldKey: RotationKey; newKey: RotationKey | undefined }> {
  const config = deps.config();
  // Before the switch the old key is the active one; after it, the newest retired one.
  const switched = config.pendingGeneration === undefined && config.retiredGenerations.includes(config.generation - 1);
  const oldGeneration = switched ? config.generation - 1 : config.generation;
  const newGeneration = switched ? config.generation : config.pendingGeneration;
  const oldKeyId = deps.keyOf(oldGeneration);
  if (oldKeyId === undefined)
    throw new Error(`no key id for generation ${oldGeneration}: pass it (pulumi stack output assistantGenerations)`);
  const newKeyId = newGeneration === undefined ? undefined : deps.keyOf(newGeneration);
  const oldAccount = await accountFor(oldKeyId);
  const oldKey: RotationKey = { address: oldAccount.address, account: oldAccount };
  const newKey = await (async (): Promise<RotationKey | undefined> => {
    if (newKeyId !== undefined) {
      const account = await accountFor(newKeyId);
      return { address: account.address, account };
    }
    const standIn = newGeneration === undefined ? undefined : deps.standIn?.(newGeneration);
    return standIn === undefined ? undefined : { address: standIn };
  })();
  const { seller } = await readSeller(deps.chain.client, deps.chain.diamond, deps.chain.sellerId);
  const [pendingForNewAddress, gas, oldKeyEnabled] = await Promise.all([
    newKey
      ? pendingAssistant(deps.chain.client, deps.chain.diamond, deps.chain.sellerId, newKey.address)
      : Promise.resolve(false),
    movableBalance(deps.chain.client, oldKey.address),
    deps.keyDisabled?.(oldKeyId) ? Promise.resolve(false) : keyEnabled(deps.kms, oldKeyId),
  ]);
  return {
    oldKey,
    newKey,
    state: {
      generation: config.generation,
      pendingGeneration: config.pendingGeneration,
      retiredGenerations: config.retiredGenerations,
      oldAddress: oldKey.address,
      newAddress: newKey?.address,
      sellerAssistant: seller.assistant,
      pendingForNewAddress,
      oldBalanceWei: gas.balance,
      dustWei: gas.fee * 2n,
      oldKeyEnabled,
    },
  };
}
