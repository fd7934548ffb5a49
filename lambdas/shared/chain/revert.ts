/**
 * Revert decoding (checklist C2): a failed call or transaction is decoded
 * against the merged protocol ABI, arguments included, and surfaced as
 * `{ errorName, args, txHash? }` both in the log record and on the thrown error.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Abi,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { mergedProtocolAbi } from "./protocol";

export type DecodedRevert = {
  /** The custom error's name, `Error` (require with a message), `Panic`, or `Unknown`. */
  errorName: string;
  /** The error's arguments, JSON-safe (bigints as decimal strings). */
  args: readonly unknown[];
  /** The 4-byte selector when the data had one. */
  selector?: Hex;
  txHash?: Hex;
};

/** Makes decoded arguments loggable: bigint to decimal string, recursively. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, jsonSafe(inner)]));
  return value;
}

/** Decodes raw revert data against `abi` (the merged protocol ABI by default). */
export function decodeRevertData(data: Hex, abi: Abi = mergedProtocolAbi): DecodedRevert {
  const selector = data.length >= 10 ? (data.slice(0, 10) as Hex) : undefined;
  try {
    const decoded = decodeErrorResult({ abi, data });
    return {
      errorName: decoded.errorName,
      args: jsonSafe(decoded.args ?? []) as unknown[],
      ...(selector ? { selector } : {}),
    };
  } catch {
    return { errorName: "Unknown", args: [], ...(selector ? { selector } : {}) };
  }
}

/** Finds revert data in a viem error chain (call, estimateGas, simulate, write) and decodes it; undefined if it was not a revert. */
export function decodeRevert(error: unknown, abi: Abi = mergedProtocolAbi): DecodedRevert | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((inner) => inner instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) {
    if (reverted.raw) return decodeRevertData(reverted.raw, abi);
    if (reverted.data)
      return { errorName: reverted.data.errorName, args: jsonSafe(reverted.data.args ?? []) as unknown[] };
    if (reverted.reason) return { errorName: "Error", args: [reverted.reason] };
    if (reverted.signature) return { errorName: "Unknown", args: [], selector: reverted.signature };
  }
  // Raw RPC errors (eth_call / eth_estimateGas through a wallet path) carry the data on `data`.
  const withData = error.walk(
    (inner) =>
      typeof (inner as { data?: unknown }).data === "string" &&
      /^0x[0-9a-fA-F]{8}/.test((inner as { data: string }).data),
  );
  const data = (withData as { data?: unknown } | null)?.data;
  if (typeof data === "string") return decodeRevertData(data as Hex, abi);
  return undefined;
}

/** Thrown for a reverted protocol call or transaction, with the decoded error. */
export class ProtocolRevertError extends Error {
  readonly revert: DecodedRevert;
  readonly functionName: string;
  constructor(functionName: string, revert: DecodedRevert, options?: { cause?: unknown }) {
    const args = revert.args.length > 0 ? `(${revert.args.map((arg) => JSON.stringify(arg)).join(", ")})` : "()";
    super(
      `${functionName} reverted with ${revert.errorName}${args}${revert.txHash ? ` in ${revert.txHash}` : ""}`,
      options,
    );
    this.name = "ProtocolRevertError";
    this.revert = revert;
    this.functionName = functionName;
  }

  /** What the log record's `error` field carries. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, functionName: this.functionName, ...this.revert };
  }
}

/** Wraps `error` in a ProtocolRevertError when it is a revert, else returns it unchanged. */
export function asProtocolRevert(functionName: string, error: unknown, txHash?: Hex): unknown {
  if (error instanceof ProtocolRevertError) return error;
  const decoded = decodeRevert(error);
  if (!decoded) return error;
  return new ProtocolRevertError(functionName, { ...decoded, ...(txHash ? { txHash } : {}) }, { cause: error });
}

/**
 * A mined transaction reverted: the receipt carries no reason, so the call is
 * replayed at the block it was mined in (state before it, in practice for a
 * single-transaction block, or the closest view) to recover the revert data.
 */
export async function decodeMinedRevert(
  publicClient: PublicClient<Transport, Chain>,
  parameters: {
    functionName: string;
    txHash: Hex;
    from: Address;
    to: Address;
    data: Hex;
    value?: bigint;
    blockNumber: bigint;
  },
): Promise<ProtocolRevertError> {
  try {
    await publicClient.call({
      account: parameters.from,
      to: parameters.to,
      data: parameters.data,
      value: parameters.value,
      blockNumber: parameters.blockNumber > 0n ? parameters.blockNumber - 1n : 0n,
    });
  } catch (error) {
    const decoded = decodeRevert(error);
    if (decoded)
      return new ProtocolRevertError(
        parameters.functionName,
        { ...decoded, txHash: parameters.txHash },
        { cause: error },
      );
  }
  return new ProtocolRevertError(parameters.functionName, {
    errorName: "Unknown",
    args: [],
    txHash: parameters.txHash,
  });
}

/** Runs a protocol read or write, rethrowing a revert as a decoded ProtocolRevertError (other errors unchanged). */
export async function withDecodedRevert<T>(functionName: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw asProtocolRevert(functionName, error);
  }
}
