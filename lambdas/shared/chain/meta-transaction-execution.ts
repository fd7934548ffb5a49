/**
 * Which transaction executed a signed meta-transaction. The protocol runs at
 * most one `executeMetaTransaction` per (user, nonce): when the assistant's
 * own submission of a meta-transaction fails and the nonce is used, another
 * submission of the same signed meta-transaction (the relayer's, mined late)
 * got there first, and the write is done. It is found from the hashes the
 * relayer reported (a receipt holding MetaTransactionExecuted for this user,
 * nonce and function), else from the protocol's MetaTransactionExecuted logs
 * for the user and function since the block before the signature.
 */
import {
  decodeEventLog,
  decodeFunctionData,
  getAbiItem,
  getAddress,
  keccak256,
  toHex,
  type Address,
  type Hex,
  type Log,
  type TransactionReceipt,
} from "viem";
import type { WriteClients } from "./clients";
import { metaTransactionsAbi, type SignedMetaTransaction } from "./meta-transaction";

export type MetaTransactionExecution = {
  txHash: Hex;
  /** Who sent the executing transaction (the relayer's account, or the assistant). */
  sender: Address;
  /** How it was found: among the relayer's hashes, or from the protocol's logs. */
  foundBy: "relayer-hash" | "event";
};

/** True when `log` is the diamond's MetaTransactionExecuted for exactly this user, nonce and function. */
function executes(log: Log, diamond: Address, signed: SignedMetaTransaction): boolean {
  if (log.address.toLowerCase() !== diamond.toLowerCase()) return false;
  try {
    const event = decodeEventLog({ abi: metaTransactionsAbi, data: log.data, topics: log.topics });
    return (
      event.eventName === "MetaTransactionExecuted" &&
      event.args.userAddress.toLowerCase() === signed.from.toLowerCase() &&
      event.args.nonce === signed.nonce &&
      // An indexed string is logged as its hash.
      event.args.functionName === keccak256(toHex(signed.functionName))
    );
  } catch {
    return false;
  }
}

/** When the executing transaction called executeMetaTransaction directly, its call must be this one. */
async function sameCall(clients: WriteClients, hash: Hex, signed: SignedMetaTransaction): Promise<boolean> {
  const tx = await clients.publicClient.getTransaction({ hash });
  try {
    const { args } = decodeFunctionData({ abi: metaTransactionsAbi, data: tx.input });
    return args?.[2] === signed.functionSignature;
  } catch {
    // Sent through a forwarder contract: the event's user, nonce and function are what identify it.
    return true;
  }
}

/** Blocks per eth_getLogs call: what the watcher uses by default, inside common provider limits. */
const logRangeBlocks = 2_000n;

/**
 * How far back a resumed write looks for its execution when nothing says when
 * it was sent: 20,000 blocks (about 2.8 days on Ethereum, 11 hours on Polygon,
 * Base or OP, 80 minutes on Arbitrum), ten eth_getLogs calls at most.
 */
export const resumeLookbackBlocks = 20_000n;

/** The transaction that executed `signed`, or undefined when its nonce is unused or no matching execution is found since `fromBlock`. */
export async function findMetaTransactionExecution(
  clients: WriteClients,
  parameters: { diamond: Address; signed: SignedMetaTransaction; relayerHashes: readonly Hex[]; fromBlock: bigint },
): Promise<MetaTransactionExecution | undefined> {
  const { diamond, signed } = parameters;
  const used = await clients.publicClient.readContract({
    address: diamond,
    abi: metaTransactionsAbi,
    functionName: "isUsedNonce",
    args: [signed.from, signed.nonce],
  });
  if (!used) return undefined;
  const found = async (receipt: TransactionReceipt, foundBy: MetaTransactionExecution["foundBy"]) =>
    receipt.status === "success" &&
    receipt.logs.some((log) => executes(log, diamond, signed)) &&
    (await sameCall(clients, receipt.transactionHash, signed))
      ? { txHash: receipt.transactionHash, sender: getAddress(receipt.from), foundBy }
      : undefined;
  for (const hash of parameters.relayerHashes) {
    const receipt = await clients.publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
    const execution = receipt && (await found(receipt, "relayer-hash"));
    if (execution) return execution;
  }
  // Newest first, in ranges RPC providers accept for eth_getLogs.
  const latest = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
  for (let toBlock = latest; toBlock >= parameters.fromBlock; toBlock -= logRangeBlocks) {
    const fromBlock =
      toBlock - logRangeBlocks + 1n > parameters.fromBlock ? toBlock - logRangeBlocks + 1n : parameters.fromBlock;
    const logs = await clients.publicClient.getLogs({
      address: diamond,
      event: getAbiItem({ abi: metaTransactionsAbi, name: "MetaTransactionExecuted" }),
      args: { userAddress: signed.from },
      fromBlock,
      toBlock,
    });
    for (const log of logs.reverse()) {
      if (!log.transactionHash || !executes(log, diamond, signed)) continue;
      const receipt = await clients.publicClient.getTransactionReceipt({ hash: log.transactionHash });
      const execution = await found(receipt, "event");
      if (execution) return execution;
    }
    if (fromBlock === 0n) break;
  }
  return undefined;
}
