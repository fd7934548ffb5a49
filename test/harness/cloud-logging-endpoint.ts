/**
 * A local stand-in for Cloud Logging's REST `entries:write`
 * (POST /v2/entries:write), so the real `@google-cloud/logging` client talks
 * to it over plain HTTP on 127.0.0.1. It checks the bearer token, stores the
 * entries of each accepted request, answers errors in Google's JSON error
 * shape ({ error: { code, message, status } }), refuses requests over a size
 * limit as the real API does, and can be told to fail the next requests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OAuth2Client } from "google-auth-library";

export interface ReceivedEntry {
  readonly logName: string;
  readonly resource: unknown;
  readonly insertId?: string;
  readonly timestamp?: string;
  readonly severity?: string;
  readonly trace?: string;
  readonly labels?: Record<string, string>;
  readonly jsonPayload?: Record<string, unknown>;
  readonly textPayload?: string;
}

export interface WriteRequest {
  readonly logName: string;
  readonly resource: unknown;
  readonly partialSuccess?: boolean;
  readonly entries: readonly ReceivedEntry[];
}

/** HTTP status -> Google's canonical status name, for the error body. */
const statusNames: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export interface EndpointFault {
  readonly status: number;
  readonly message?: string;
  /** How many requests fail; every one when omitted. */
  readonly times?: number;
}

export interface CloudLoggingEndpoint {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Entries of every accepted request, in the order they were accepted. */
  readonly entries: ReceivedEntry[];
  /** Every accepted request. */
  readonly requests: WriteRequest[];
  /** The x-goog-api-client header of every accepted request (which client library and transport sent it). */
  readonly clientHeaders: string[];
  /** Attempts, accepted or not. */
  attempts(): number;
  /** Token exchanges the STS stand-in granted, and impersonations the IAM stand-in granted. */
  readonly exchanges: TokenExchange[];
  readonly impersonations: string[];
  fail(fault: EndpointFault): void;
  reset(): void;
  close(): Promise<void>;
}

/**
 * Stand-ins for Google's STS (`POST /v1/token`) and IAM Credentials
 * (`POST /v1/projects/-/serviceAccounts/<email>:generateAccessToken`), so a
 * workload identity federation credential configuration whose URLs point here
 * completes the real exchange: a signed AWS GetCallerIdentity request for a
 * federated token, then that token for the service account's access token
 * (the `token` entries:write accepts).
 */
export interface FederationOptions {
  /** The audience the credential configuration must present (the pool's provider). */
  readonly audience: string;
  readonly serviceAccountEmail: string;
}

/** What the STS stand-in received: the AWS request the caller signed. */
export interface TokenExchange {
  readonly audience: string;
  readonly subjectTokenType: string;
  /** The signed GetCallerIdentity request (url, method, headers), as Google's STS receives it. */
  readonly subjectToken: { url?: string; method?: string; headers?: { key: string; value: string }[] };
}

export interface EndpointOptions {
  /** The bearer token a request must carry. */
  readonly token: string;
  readonly federation?: FederationOptions;
  /** Requests with a larger body are refused as the real API does (it allows 10 MB). */
  readonly maxRequestBytes?: number;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function sendError(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ error: { code: status, message, status: statusNames[status] ?? "UNKNOWN" } }));
}

export async function startCloudLoggingEndpoint(options: EndpointOptions): Promise<CloudLoggingEndpoint> {
  const entries: ReceivedEntry[] = [];
  const requests: WriteRequest[] = [];
  const clientHeaders: string[] = [];
  let attemptCount = 0;
  let fault: (EndpointFault & { remaining: number }) | undefined;
  const exchanges: TokenExchange[] = [];
  const impersonations: string[] = [];
  const federatedToken = `federated-${options.token}`;

  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      if (options.federation && request.method === "POST" && request.url === "/v1/token") {
        const form = new URLSearchParams(body.toString("utf8"));
        const exchange: TokenExchange = {
          audience: form.get("audience") ?? "",
          subjectTokenType: form.get("subject_token_type") ?? "",
          subjectToken: JSON.parse(
            decodeURIComponent(form.get("subject_token") ?? "{}"),
          ) as TokenExchange["subjectToken"],
        };
        if (
          exchange.audience !== options.federation.audience ||
          form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:token-exchange"
        ) {
          response.writeHead(400, { "content-type": "application/json" });
          response.end(
            JSON.stringify({ error: "invalid_target", error_description: `unknown audience ${exchange.audience}` }),
          );
          return;
        }
        exchanges.push(exchange);
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
          JSON.stringify({
            access_token: federatedToken,
            issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
            token_type: "Bearer",
            expires_in: 3600,
          }),
        );
        return;
      }
      const impersonation = /^\/v1\/projects\/-\/serviceAccounts\/([^:]+):generateAccessToken$/.exec(request.url ?? "");
      if (options.federation && request.method === "POST" && impersonation) {
        const email = decodeURIComponent(impersonation[1] ?? "");
        if (
          request.headers.authorization !== `Bearer ${federatedToken}` ||
          email !== options.federation.serviceAccountEmail
        ) {
          sendError(response, 403, `Permission 'iam.serviceAccounts.getAccessToken' denied on ${email}`);
          return;
        }
        impersonations.push(email);
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
          JSON.stringify({ accessToken: options.token, expireTime: new Date(Date.now() + 3_600_000).toISOString() }),
        );
        return;
      }
      if (request.method !== "POST" || !request.url?.startsWith("/v2/entries:write")) {
        sendError(response, 404, `no route for ${request.method} ${request.url}`);
        return;
      }
      attemptCount++;
      if (request.headers.authorization !== `Bearer ${options.token}`) {
        sendError(response, 401, "Request had invalid authentication credentials.");
        return;
      }
      if (fault && fault.remaining > 0) {
        fault.remaining--;
        sendError(response, fault.status, fault.message ?? "injected failure");
        return;
      }
      if (options.maxRequestBytes !== undefined && body.length > options.maxRequestBytes) {
        sendError(response, 400, `Request payload size exceeds the limit: ${options.maxRequestBytes} bytes.`);
        return;
      }
      const parsed = JSON.parse(body.toString("utf8")) as Partial<WriteRequest>;
      const write: WriteRequest = {
        logName: String(parsed.logName ?? ""),
        resource: parsed.resource,
        ...(parsed.partialSuccess !== undefined ? { partialSuccess: parsed.partialSuccess } : {}),
        entries: (parsed.entries ?? []).map((entry) => ({
          ...entry,
          logName: String(parsed.logName ?? ""),
          resource: parsed.resource,
        })),
      };
      requests.push(write);
      entries.push(...write.entries);
      clientHeaders.push(String(request.headers["x-goog-api-client"] ?? ""));
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{}");
    })().catch((error: unknown) => sendError(response, 500, (error as Error).message));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: "127.0.0.1",
    port,
    entries,
    requests,
    clientHeaders,
    attempts: () => attemptCount,
    exchanges,
    impersonations,
    fail(next) {
      fault = { ...next, remaining: next.times ?? Number.POSITIVE_INFINITY };
    },
    reset() {
      entries.length = 0;
      requests.length = 0;
      clientHeaders.length = 0;
      attemptCount = 0;
      fault = undefined;
      exchanges.length = 0;
      impersonations.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * A test-only auth client: an OAuth2 client holding a fixed, unexpired access
 * token, so the library adds `Authorization: Bearer <token>` and never asks a
 * token endpoint (or the metadata server) for one.
 */
export function fixedTokenAuthClient(token: string): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, token_type: "Bearer", expiry_date: Date.now() + 3_600_000 });
  return client;
}
