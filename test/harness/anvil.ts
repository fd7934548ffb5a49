/**
 * Starts anvil from the pinned npm package `@foundry-rs/anvil-linux-amd64`
 * (no global foundry install) on a free port of 127.0.0.1, for one test file
 * or one script, and stops it afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { defineChain, type Chain } from "viem";
import { freePort } from "./free-port";

export type AnvilOptions = {
  /** Defaults to 31337. */
  chainId?: number;
  /** Defaults to `prague`, the first hardfork with EIP-7702. */
  hardfork?: string;
  /** Extra command-line arguments. */
  args?: readonly string[];
};

export type Anvil = {
  port: number;
  rpcUrl: string;
  /** A viem chain for this instance (its id and RPC URL). */
  chain: Chain;
  stop(): Promise<void>;
};

const READY_TIMEOUT_MS = 15_000;

/** Path of the anvil binary shipped in the npm package. */
export function anvilBinary(): string {
  return join(dirname(require.resolve("@foundry-rs/anvil-linux-amd64/package.json")), "bin", "anvil");
}

/**
 * Spawns anvil and resolves once it answers JSON-RPC. The port is picked just
 * before the spawn, so another process may grab it first: then anvil exits and
 * we try again on another port.
 */
export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const chainId = options.chainId ?? 31337;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      anvilBinary(),
      [
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--chain-id",
        String(chainId),
        "--hardfork",
        options.hardfork ?? "prague",
        "--silent",
        // The protocol fixture joins every handler the kit uses into one contract, over EIP-170's
        // 24 KB limit; the real protocol is a diamond whose facets each stay under it.
        "--disable-code-size-limit",
        ...(options.args ?? []),
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    // Whatever ends this process (Ctrl-C in a tool, a test worker's exit) ends anvil too.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", () => process.removeListener("exit", killOnExit));
    const rpcUrl = `http://127.0.0.1:${port}`;
    try {
      await waitUntilReady(child, rpcUrl);
    } catch (error) {
      lastError = error;
      await stopProcess(child);
      continue;
    }
    return {
      port,
      rpcUrl,
      chain: defineChain({
        id: chainId,
        name: "anvil",
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [rpcUrl] } },
      }),
      stop: () => stopProcess(child),
    };
  }
  throw new Error(`anvil did not start: ${String(lastError)}`);
}

async function waitUntilReady(child: ChildProcess, rpcUrl: string): Promise<void> {
  let stderr = "";
  let spawnError: Error | undefined;
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  child.once("error", (error) => {
    spawnError = error;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError !== undefined) throw spawnError;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`anvil exited (${String(child.exitCode ?? child.signalCode)}): ${stderr.trim()}`);
    }
    if (await answers(rpcUrl)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`anvil did not answer on ${rpcUrl} within ${READY_TIMEOUT_MS} ms`);
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return response.ok;
  } catch {
    return false; // not listening yet
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
}
