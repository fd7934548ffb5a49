/**
 * The meta-transaction relayer (checklist O4) behind a small interface, and
 * its Biconomy adapter: the meta-transaction API as @bosonprotocol/core-sdk
 * calls it. `POST {url}/api/v2/meta-tx/native` with the `x-api-key` header
 * and `{ to, params: [user, functionName, functionSignature, nonce,
 * signature], from, apiId }` answers `{ txHash }` (or a `flag`/`code` and a
 * `log`/`message` on rejection); `GET {url}/api/v1/meta-tx/resubmitted?
 * networkId&transactionHash` answers `{ data: { newHash, newStatus } }` when
 * the relayer re-sent it with another fee (and so another hash).
 *
 * Calls are rate-limited by a token bucket per process and bounded by a
 * timeout; the caller falls back to submitting the same signed
 * meta-transaction itself when the relayer is not usable.
 */
import type { Address, Hex } from "viem";
import type { SignedMetaTransaction } from "./meta-transaction";
import { TokenBucket } from "./token-bucket";
import { traceHeaders } from "../runtime/trace";

export type RelayerConfig = {
  /** The relayer's base URL (the official table's meta-transaction relayer unless the stack says otherwise). */
  url: string;
  /** The relayer's api id for `executeMetaTransaction` on this diamond. */
  apiId: string;
  /** From the CMK-encrypted secret; never in the environment or a log. */
  apiKey: string;
  ratePerSecond: number;
  burst: number;
  timeoutMs: number;
};

export type RelayedSubmission = { txHash: Hex };
export type Resubmission = { hash: Hex; status: string };

/** What the send path needs from a relayer. */
export interface MetaTransactionRelayer {
  readonly name: string;
  relay(
    request: { diamond: Address; chainId: number; signed: SignedMetaTransaction },
    signal: AbortSignal,
  ): Promise<RelayedSubmission>;
  /** The hash the relayer now tracks for `txHash` (it may have resubmitted with a higher fee). */
  resubmitted(request: { chainId: number; txHash: Hex }, signal: AbortSignal): Promise<Resubmission | undefined>;
}

/** Why the relayer was not used; each is a metric dimension and a log detail. */
export type FallbackReason = "rate-limited" | "relayer-down" | "timeout" | "http-429" | "rejected";

export class RelayerError extends Error {
  constructor(
    message: string,
    readonly reason: FallbackReason,
  ) {
    super(message);
    this.name = "RelayerError";
  }
}

const txHashPattern = /^0x[0-9a-fA-F]{64}$/;

export function biconomyRelayer(
  config: Pick<RelayerConfig, "url" | "apiId" | "apiKey">,
  fetchFn: typeof fetch = fetch,
): MetaTransactionRelayer {
  const base = config.url.replace(/\/+$/, "");
  const request = async (url: string, init: RequestInit): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetchFn(url, init);
    } catch (error) {
      if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
        throw new RelayerError("the relayer did not answer in time", "timeout");
      throw new RelayerError(
        `the relayer is unreachable (${error instanceof Error ? error.name : "error"})`,
        "relayer-down",
      );
    }
    if (response.status === 429) throw new RelayerError("the relayer answered HTTP 429 (rate limited)", "http-429");
    if (response.status >= 500) throw new RelayerError(`the relayer answered HTTP ${response.status}`, "relayer-down");
    if (!response.ok)
      throw new RelayerError(`the relayer refused the meta-transaction (HTTP ${response.status})`, "rejected");
    return response.json().catch(() => {
      throw new RelayerError("the relayer answered something other than JSON", "rejected");
    });
  };
  return {
    name: "biconomy",
    async relay({ diamond, signed }, signal) {
      const body = {
        to: diamond,
        params: [signed.from, signed.functionName, signed.functionSignature, signed.nonce.toString(), signed.signature],
        from: signed.from,
        apiId: config.apiId,
      };
      const json = (await request(`${base}/api/v2/meta-tx/native`, {
        method: "POST",
        headers: { "x-api-key": config.apiKey, "content-type": "application/json;charset=UTF-8", ...traceHeaders() },
        body: JSON.stringify(body),
        signal,
      })) as { txHash?: unknown; flag?: unknown; code?: unknown };
      if (typeof json.txHash !== "string" || !txHashPattern.test(json.txHash)) {
        throw new RelayerError(
          `the relayer refused the meta-transaction (${String(json.flag ?? json.code ?? "no txHash")})`,
          "rejected",
        );
      }
      return { txHash: json.txHash as Hex };
    },
    async resubmitted({ chainId, txHash }, signal) {
      const json = (await request(`${base}/api/v1/meta-tx/resubmitted?networkId=${chainId}&transactionHash=${txHash}`, {
        method: "GET",
        headers: { "content-type": "application/json;charset=UTF-8", ...traceHeaders() },
        signal,
      })) as { data?: { newHash?: unknown; newStatus?: unknown } };
      const newHash = json.data?.newHash;
      if (typeof newHash !== "string" || !txHashPattern.test(newHash)) return undefined;
      return {
        hash: newHash as Hex,
        status: typeof json.data?.newStatus === "string" ? json.data.newStatus : "UNKNOWN",
      };
    },
  };
}

export type Relayer = {
  config: RelayerConfig;
  bucket: TokenBucket;
  api: MetaTransactionRelayer;
};

const buckets = new Map<string, TokenBucket>();

/** One bucket per relayer URL per process, so the limit holds across invocations of a warm Lambda. */
export function relayerFor(
  config: RelayerConfig,
  options: { now?: () => number; api?: MetaTransactionRelayer; fetchFn?: typeof fetch } = {},
): Relayer {
  const key = `${config.url}|${config.ratePerSecond}|${config.burst}`;
  let bucket = buckets.get(key);
  if (!bucket || options.now) {
    bucket = new TokenBucket(config.ratePerSecond, config.burst, options.now);
    if (!options.now) buckets.set(key, bucket);
  }
  return { config, bucket, api: options.api ?? biconomyRelayer(config, options.fetchFn) };
}
