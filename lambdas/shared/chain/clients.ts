/**
 * Chain clients for the jobs: a viem public client over a `fallback`
 * transport (primary then fallback RPC URL, both from the RPC secret) and,
 * for jobs that write, a wallet client whose account is the KMS account.
 *
 * - JSON-RPC batching is on: reads issued together (Promise.all) go out as one
 *   HTTP request, so a run's round trips do not grow with the number of
 *   tokens (no Multicall3 needed on the chain).
 * - The trace id travels as a header on every RPC request (B4).
 * - An endpoint failure and every request the fallback serves are logged as
 *   tool calls (B1), with which endpoint answered; the URLs are not logged.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  fallback,
  http,
  type Account,
  type Chain,
  type EIP1193RequestFn,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { logToolCall } from "../runtime/logger";
import type { RpcUrls } from "./rpc-secret";
import { traceHeaders } from "../runtime/trace";

export type RpcEndpointLabel = "primary" | "fallback";

export type RpcUsage = {
  /** Requests answered, by endpoint. */
  answered: Record<RpcEndpointLabel, number>;
  /** Requests that failed, by endpoint (network errors and RPC errors alike). */
  failed: Record<RpcEndpointLabel, number>;
  /** HTTP requests sent (a JSON-RPC batch counts once). */
  httpRequests: number;
};

export type ChainClientOptions = {
  chainId: number;
  urls: RpcUrls;
  logger: Logger;
  /** JSON-RPC batching (default on). */
  batch?: boolean;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Polling interval for receipts and blocks (default 1 s). */
  pollingIntervalMs?: number;
};

export type ReadClients = {
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  transport: Transport;
  usage: RpcUsage;
};

export type WriteClients = ReadClients & {
  account: Account;
  walletClient: WalletClient<Transport, Chain, Account>;
};

/** A minimal chain for `chainId`: viem checks it when signing; the RPC URLs come from the secret. */
export function chainFor(chainId: number): Chain {
  return defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: "Native", symbol: "NATIVE", decimals: 18 },
    rpcUrls: { default: { http: [] } },
  });
}

/** Wraps a transport so each request it answers (or fails) is counted and, when it matters, logged. */
function observed(
  label: RpcEndpointLabel,
  inner: Transport,
  usage: RpcUsage,
  logger: Logger,
  hasFallback: boolean,
): Transport {
  return (parameters) => {
    const transport = inner(parameters);
    const request: EIP1193RequestFn = async (args, options) => {
      const started = performance.now();
      try {
        const result: unknown = await transport.request(args, options);
        usage.answered[label]++;
        if (label === "fallback") {
          logToolCall(logger, {
            tool: "rpc",
            operation: args.method,
            durationMs: Math.round(performance.now() - started),
            outcome: "ok",
            details: { endpoint: label },
          });
        }
        return result as never;
      } catch (error) {
        usage.failed[label]++;
        logToolCall(logger, {
          tool: "rpc",
          operation: args.method,
          durationMs: Math.round(performance.now() - started),
          // The primary failing is transient while a fallback can answer.
          outcome: label === "primary" && hasFallback ? "transient" : "failed",
          details: { endpoint: label },
          error: summariseRpcError(error),
        });
        throw error;
      }
    };
    return { ...transport, request };
  };
}

function summariseRpcError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const shortMessage = (error as Error & { shortMessage?: unknown }).shortMessage;
    return {
      name: error.name,
      message: typeof shortMessage === "string" ? shortMessage : error.message.split("\n")[0],
    };
  }
  return { message: String(error) };
}

function headersOf(headers: ConstructorParameters<typeof Headers>[0]): Record<string, string> {
  return Object.fromEntries(new Headers(headers).entries());
}

/** The read side: public client over primary + fallback. */
export function createReadClients(options: ChainClientOptions): ReadClients {
  const chain = chainFor(options.chainId);
  const usage: RpcUsage = {
    answered: { primary: 0, fallback: 0 },
    failed: { primary: 0, fallback: 0 },
    httpRequests: 0,
  };
  const hasFallback = options.urls.fallback !== undefined;
  const httpTransport = (url: string) =>
    http(url, {
      batch: options.batch === false ? false : { wait: 0 },
      timeout: options.timeoutMs ?? 10_000,
      retryCount: 0,
      // Per request, not per client: the trace id changes with each invocation.
      fetchFn: (input, init) => fetch(input, { ...init, headers: { ...headersOf(init?.headers), ...traceHeaders() } }),
      onFetchRequest: () => {
        usage.httpRequests++;
      },
    });
  const transports = [observed("primary", httpTransport(options.urls.primary), usage, options.logger, hasFallback)];
  if (options.urls.fallback !== undefined)
    transports.push(observed("fallback", httpTransport(options.urls.fallback), usage, options.logger, hasFallback));
  const transport = fallback(transports, { retryCount: 1, retryDelay: 100 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: options.pollingIntervalMs ?? 1_000 });
  return { chain, publicClient, transport, usage };
}

/** Read clients plus a wallet client signing with `account` (the KMS account in the jobs). */
export function createWriteClients(options: ChainClientOptions & { account: Account }): WriteClients {
  const read = createReadClients(options);
  const walletClient = createWalletClient({ chain: read.chain, transport: read.transport, account: options.account });
  return { ...read, account: options.account, walletClient };
}
