/**
 * The relayer path (checklist O4), used when RELAYER is configured: the
 * signed transaction is handed to the relayer (a private-transaction relay:
 * `POST {url}` with `{ requestId, chainId, signedTransaction }`, answering
 * `{ txHash }`), rate-limited by a token bucket. When the bucket is empty
 * beyond the timeout, or the relayer fails or times out, the same signed
 * transaction is sent directly over RPC. The path taken is recorded.
 */
import { realSleep } from "./finality";
import type { Logger } from "@aws-lambda-powertools/logger";
import { keccak256, type Chain, type Hex, type PublicClient, type Transport } from "viem";
import { logToolCall } from "../runtime/logger";
import { TokenBucket } from "./token-bucket";
import { traceHeaders } from "../runtime/trace";

export type RelayerConfig = { url: string; ratePerSecond: number; burst: number; timeoutMs: number };

export type SubmissionPath = "relayer" | "direct";
export type Submission = { hash: Hex; path: SubmissionPath; fallbackReason?: string };

export type Relayer = {
  config: RelayerConfig;
  bucket: TokenBucket;
};

const buckets = new Map<string, TokenBucket>();

/** One bucket per relayer URL per process, so the limit holds across invocations of a warm Lambda. */
export function relayerFor(config: RelayerConfig, now?: () => number): Relayer {
  const key = `${config.url}|${config.ratePerSecond}|${config.burst}`;
  let bucket = buckets.get(key);
  if (!bucket) {
    bucket = new TokenBucket(config.ratePerSecond, config.burst, now);
    buckets.set(key, bucket);
  }
  return { config, bucket };
}

class RelayerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RelayerError";
  }
}

async function postToRelayer(relayer: Relayer, body: { requestId: string; chainId: number; signedTransaction: Hex }, fetchFn: typeof fetch): Promise<Hex> {
  const response = await fetchFn(relayer.config.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...traceHeaders() },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(relayer.config.timeoutMs),
  });
  if (!response.ok) throw new RelayerError(`relayer answered HTTP ${response.status}`);
  const json = (await response.json()) as { txHash?: unknown };
  if (typeof json.txHash !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(json.txHash)) throw new RelayerError("relayer answered without a txHash");
  return json.txHash as Hex;
}

/**
 * Submits a signed transaction: through the relayer when configured and a
 * token is available, else (or on its failure) directly. The relayer's
 * answer is checked against the transaction's own hash.
 */
export async function submitSignedTransaction(parameters: {
  signedTransaction: Hex;
  chainId: number;
  requestId: string;
  publicClient: PublicClient<Transport, Chain>;
  logger: Logger;
  relayer?: Relayer;
  exchangeId?: string;
  sleep?: (ms: number) => Promise<void>;
  fetchFn?: typeof fetch;
}): Promise<Submission> {
  const { signedTransaction, logger, relayer } = parameters;
  const expectedHash = keccak256(signedTransaction);
  const context = { requestId: parameters.requestId, ...(parameters.exchangeId ? { exchangeId: parameters.exchangeId } : {}) };
  let fallbackReason: string | undefined;

  if (relayer) {
    const sleep = parameters.sleep ?? realSleep;
    const started = performance.now();
    if (!(await relayer.bucket.take(relayer.config.timeoutMs, sleep))) {
      fallbackReason = "rate-limited";
      logToolCall(logger, { tool: "relayer", operation: "submit", ...context, txHash: expectedHash, durationMs: 0, outcome: "transient", details: { path: "direct", fallbackReason } });
    } else {
      try {
        const hash = await postToRelayer(relayer, { requestId: parameters.requestId, chainId: parameters.chainId, signedTransaction }, parameters.fetchFn ?? fetch);
        if (hash.toLowerCase() !== expectedHash.toLowerCase()) throw new RelayerError("relayer answered another transaction's hash");
        logToolCall(logger, { tool: "relayer", operation: "submit", ...context, txHash: hash, durationMs: Math.round(performance.now() - started), outcome: "ok", details: { path: "relayer" } });
        return { hash, path: "relayer" };
      } catch (error) {
        fallbackReason = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError") ? "timeout" : "relayer-failed";
        logToolCall(logger, {
          tool: "relayer",
          operation: "submit",
          ...context,
          txHash: expectedHash,
          durationMs: Math.round(performance.now() - started),
          outcome: "transient",
          error: { name: error instanceof Error ? error.name : "Error", message: error instanceof Error ? error.message : String(error) },
          details: { path: "direct", fallbackReason },
        });
      }
    }
  }

  const started = performance.now();
  const hash = await sendRawIdempotently(parameters.publicClient, signedTransaction, expectedHash);
  logToolCall(logger, {
    tool: "rpc",
    operation: "eth_sendRawTransaction",
    ...context,
    txHash: hash,
    durationMs: Math.round(performance.now() - started),
    outcome: "ok",
    details: { path: "direct", ...(fallbackReason ? { fallbackReason } : {}) },
  });
  return { hash, path: "direct", ...(fallbackReason ? { fallbackReason } : {}) };
}

/** A relayer that timed out may still have broadcast it: "already known" means it is in the pool, which is what we want. */
async function sendRawIdempotently(publicClient: PublicClient<Transport, Chain>, signedTransaction: Hex, expectedHash: Hex): Promise<Hex> {
  try {
    return await publicClient.sendRawTransaction({ serializedTransaction: signedTransaction });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (/already known|already imported|known transaction|nonce too low/i.test(text)) {
      const existing = await publicClient.getTransaction({ hash: expectedHash }).catch(() => undefined);
      if (existing) return expectedHash;
    }
    throw error;
  }
}
