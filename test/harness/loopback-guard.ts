import { Socket } from "node:net";

/**
 * Proves a test talked only to 127.0.0.1: while installed, every outgoing TCP
 * connection (node:http, undici's fetch and TLS all open one through
 * `Socket.prototype.connect`) is recorded, and one to any other host is
 * refused before a packet leaves. A host name is refused too: resolving it
 * would already be a request to a resolver.
 */
export interface LoopbackGuard {
  /** `host:port` of every connection attempted. */
  readonly connections: string[];
  /** The attempts that were refused. */
  readonly refused: string[];
  uninstall(): void;
}

const loopback = new Set(["127.0.0.1", "::1"]);

export function installLoopbackGuard(): LoopbackGuard {
  const original = Socket.prototype.connect;
  const connections: string[] = [];
  const refused: string[] = [];
  // The overloads of connect take (options | port | path, ...); only the TCP target matters here.
  Socket.prototype.connect = function guardedConnect(this: Socket, ...args: unknown[]) {
    // net.connect hands over its already-normalized arguments as one array: [options, callback].
    const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    const options = (
      typeof first === "object" && first !== null
        ? first
        : { port: first, host: typeof second === "string" ? second : undefined }
    ) as {
      port?: unknown;
      host?: unknown;
      path?: unknown;
    };
    if (typeof options.path === "string" && options.port === undefined)
      return (original as (...a: unknown[]) => Socket).apply(this, args);
    const host = typeof options.host === "string" ? options.host : "localhost";
    const target = `${host}:${String(options.port)}`;
    connections.push(target);
    if (!loopback.has(host)) {
      refused.push(target);
      throw new Error(`loopback guard: refused a connection to ${target}; tests reach only 127.0.0.1`);
    }
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof Socket.prototype.connect;
  return {
    connections,
    refused,
    uninstall: () => {
      Socket.prototype.connect = original;
    },
  };
}
