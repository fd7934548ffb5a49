import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request a stand-in received, as the client sent it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

export interface LocalHttpServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (never another interface) that answers each request with `handle`. */
export async function startLocalHttp(handle: (request: ReceivedRequest) => Reply): Promise<LocalHttpServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const request = {
        method: incoming.method ?? "",
        url: incoming.url ?? "/",
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(request);
      let reply: Reply;
      try {
        reply = handle(request);
      } catch (error) {
        reply = { status: 500, body: (error as Error).message };
      }
      response.writeHead(reply.status, { "content-length": String(Buffer.byteLength(reply.body)), ...reply.headers });
      response.end(reply.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: "127.0.0.1",
    port,
    requests,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The service in a SigV4 `Authorization` header's credential scope (`.../<region>/<service>/aws4_request`), if signed. */
export function sigV4Service(headers: IncomingMessage["headers"]): string | undefined {
  const authorization = headers.authorization;
  return typeof authorization === "string"
    ? /^AWS4-HMAC-SHA256 Credential=[^/]+\/[0-9]{8}\/[a-z0-9-]+\/([a-z0-9-]+)\/aws4_request,/.exec(authorization)?.[1]
    : undefined;
}
