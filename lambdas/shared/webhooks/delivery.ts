import { createHash } from "node:crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import { Webhook } from "standardwebhooks";
import type { Delivery, EndpointDelivery, JsonValue } from "../stores/events";
import { logToolCall } from "../runtime/logger";
import { retry, RetryExhaustedError, type RetryPolicy } from "../runtime/retry";

/**
 * Fulfillment webhooks in the Standard Webhooks format (checklist S5):
 * `webhook-id` (the chain event id, stable across retries so receivers
 * dedupe), `webhook-timestamp`, `webhook-signature` (HMAC-SHA256 over
 * `id.timestamp.body`, by the `standardwebhooks` package). Each endpoint is
 * retried with full-jitter backoff on network errors, timeouts, 408/425/429
 * and 5xx; other answers and exhausted retries dead-letter the delivery,
 * which the caller persists (nothing is lost).
 */

export type WebhookMessage = {
  /** The event id (`txHash#logIndex`). */
  id: string;
  /** e.g. `boson.exchange.voucher_redeemed` */
  type: string;
  /** Event data only: no secrets, no whole transactions. */
  data: Record<string, JsonValue>;
  /** For the tool-call log record. */
  exchangeId?: string;
  txHash?: string;
};

/** Backoff as in retry.ts (`maxAttempts` per endpoint); no overall budget: each attempt has its own timeout. */
export type WebhookRetryPolicy = Pick<RetryPolicy, "maxAttempts" | "baseDelayMs" | "maxDelayMs"> & {
  /** Per-attempt timeout. */
  timeoutMs: number;
};

/** Worst case per endpoint about 10 s (3 x 3 s + backoff), well inside the watcher's 55 s Lambda timeout. */
export const defaultWebhookRetryPolicy: WebhookRetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 1_000,
  timeoutMs: 3_000,
};

export type WebhookSenderOptions = {
  /** `whsec_...` */
  secret: string;
  endpoints: readonly string[];
  retry?: WebhookRetryPolicy;
  fetch?: typeof fetch;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Extra headers per call (the trace id, checklist B4). */
  headers?: () => Record<string, string>;
  logger?: Logger;
};

export interface WebhookSender {
  /**
   * Delivers to every endpoint that has not had it yet (`previous`: the
   * stored delivery state of an earlier run) and returns the new state.
   */
  deliver(message: WebhookMessage, previous?: Delivery): Promise<Delivery>;
}

/** A stable, non-secret key for an endpoint (URLs may carry tokens). */
export function endpointKey(url: string): string {
  return createHash("sha256").update(url).digest("hex").slice(0, 12);
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** One failed attempt; whether it is worth another is decided by the answer. */
class AttemptFailed extends Error {
  constructor(readonly retryable: boolean) {
    super("webhook attempt failed");
  }
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const signer = new Webhook(options.secret);
  const policy = options.retry ?? defaultWebhookRetryPolicy;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());

  // Endpoints that exhausted their retries in this sender's life (one job run): later messages are
  // dead-lettered at once, so a down endpoint cannot hold the run past its Lambda timeout.
  const failing = new Set<string>();

  async function deliverTo(url: string, message: WebhookMessage): Promise<EndpointDelivery> {
    const key = endpointKey(url);
    if (failing.has(key)) {
      return {
        status: "dead-lettered",
        attempts: 0,
        lastError: "endpoint failed earlier in this run (circuit open)",
        at: now().toISOString(),
      };
    }
    let lastStatusCode: number | undefined;
    let lastError = "";
    let attempts = 0;
    try {
      const statusCode = await retry(
        async ({ attempt }) => {
          attempts = attempt;
          const timestamp = now();
          const body = JSON.stringify({ type: message.type, timestamp: timestamp.toISOString(), data: message.data });
          const started = performance.now();
          let retryable: boolean;
          try {
            const response = await doFetch(url, {
              method: "POST",
              headers: {
                "content-type": "application/json",
                "webhook-id": message.id,
                "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
                "webhook-signature": signer.sign(message.id, timestamp, body),
                ...(options.headers?.() ?? {}),
              },
              body,
              signal: AbortSignal.timeout(policy.timeoutMs),
            });
            await response.arrayBuffer().catch(() => undefined); // drain the body so the socket is reused
            lastStatusCode = response.status;
            if (response.ok) {
              log("ok", url, key, message, attempt, started, response.status);
              return response.status;
            }
            lastError = `HTTP ${response.status}`;
            retryable = isRetryableStatus(response.status);
          } catch (error) {
            lastStatusCode = undefined;
            lastError = error instanceof Error ? `${error.name}: ${error.message}` : "network error";
            retryable = true;
          }
          log(
            retryable && attempt < policy.maxAttempts ? "transient" : "failed",
            url,
            key,
            message,
            attempt,
            started,
            lastStatusCode,
            lastError,
          );
          throw new AttemptFailed(retryable);
        },
        {
          // No overall budget: each attempt has its own timeout, and the attempt count bounds the rest.
          policy: {
            maxAttempts: policy.maxAttempts,
            maxElapsedMs: Infinity,
            baseDelayMs: policy.baseDelayMs,
            maxDelayMs: policy.maxDelayMs,
          },
          isRetryable: (error) => error instanceof AttemptFailed && error.retryable,
          ...(options.random ? { random: options.random } : {}),
          ...(options.sleep ? { sleep: options.sleep } : {}),
        },
      );
      return { status: "delivered", attempts, lastStatusCode: statusCode, at: now().toISOString() };
    } catch (error) {
      if (!(error instanceof AttemptFailed || error instanceof RetryExhaustedError)) throw error;
      // Retries ran out on a failure that was not this message's fault (5xx, timeouts, network): open the circuit.
      if (error instanceof RetryExhaustedError) failing.add(key);
    }
    return {
      status: "dead-lettered",
      attempts,
      ...(lastStatusCode !== undefined ? { lastStatusCode } : {}),
      lastError,
      at: now().toISOString(),
    };
  }

  function log(
    outcome: "ok" | "transient" | "failed",
    _url: string,
    key: string,
    message: WebhookMessage,
    attempt: number,
    started: number,
    statusCode?: number,
    error?: string,
  ): void {
    if (options.logger === undefined) return;
    logToolCall(options.logger, {
      tool: "webhook",
      operation: "deliver",
      ...(message.exchangeId !== undefined ? { exchangeId: message.exchangeId } : {}),
      ...(message.txHash !== undefined ? { txHash: message.txHash } : {}),
      requestId: message.id,
      durationMs: Math.round(performance.now() - started),
      outcome,
      ...(error !== undefined ? { error } : {}),
      details: { endpoint: key, attempt, type: message.type, ...(statusCode !== undefined ? { statusCode } : {}) },
    });
  }

  return {
    async deliver(message, previous) {
      const endpoints: Record<string, EndpointDelivery> = { ...(previous?.endpoints ?? {}) };
      for (const url of options.endpoints) {
        const key = endpointKey(url);
        if (endpoints[key]?.status === "delivered") continue;
        endpoints[key] = await deliverTo(url, message);
      }
      const states = options.endpoints.map((url) => endpoints[endpointKey(url)]?.status);
      const status = states.every((state) => state === "delivered") ? "delivered" : "dead-lettered";
      return { status, endpoints };
    },
  };
}
