/**
 * A local fulfillment endpoint for tests: an HTTP server on 127.0.0.1 that
 * verifies each delivery's Standard Webhooks signature with the
 * `standardwebhooks` package (as a real receiver would), records it, and can
 * be told to answer 500 (or any status) for the next N calls or for good.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export type ReceivedWebhook = {
  id: string;
  timestamp: string;
  signature: string;
  /** The raw body as sent. */
  body: string;
  /** The parsed body when the signature verified; undefined otherwise. */
  payload: { type: string; timestamp: string; data: Record<string, unknown> } | undefined;
  verified: boolean;
  /** What the receiver answered. */
  status: number;
  headers: IncomingHttpHeaders;
};

export type WebhookReceiver = {
  url: string;
  /** Every call, in order, failed ones included. */
  readonly calls: readonly ReceivedWebhook[];
  /** Calls that verified and were answered 2xx. */
  delivered(): ReceivedWebhook[];
  /** Answer `status` to the next `times` calls (default: every call until `succeed()`). */
  failWith(status: number, times?: number): void;
  succeed(): void;
  /** Forgets the recorded calls and any failure mode. */
  reset(): void;
  stop(): Promise<void>;
};

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const calls: ReceivedWebhook[] = [];
  let failure: { status: number; remaining: number } | undefined;

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
      };
      let payload: ReceivedWebhook["payload"];
      let verified = false;
      try {
        payload = verifier.verify(body, {
          "webhook-id": header("webhook-id"),
          "webhook-timestamp": header("webhook-timestamp"),
          "webhook-signature": header("webhook-signature"),
        }) as ReceivedWebhook["payload"];
        verified = true;
      } catch {
        payload = undefined;
      }
      let status = verified ? 204 : 401;
      if (failure !== undefined && failure.remaining > 0) {
        status = failure.status;
        failure.remaining--;
      }
      calls.push({
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
        payload,
        verified,
        status,
        headers: request.headers,
      });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fulfillment`,
    calls,
    delivered: () => calls.filter((call) => call.verified && call.status >= 200 && call.status < 300),
    failWith: (status, times = Number.POSITIVE_INFINITY) => {
      failure = { status, remaining: times };
    },
    succeed: () => {
      failure = undefined;
    },
    reset: () => {
      calls.length = 0;
      failure = undefined;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
