/**
 * A local meta-transaction relayer speaking the Biconomy API the kit's adapter
 * calls (lambdas/shared/chain/relayer.ts): `POST /api/v2/meta-tx/native` with
 * the `x-api-key` header, and `GET /api/v1/meta-tx/resubmitted`. It submits
 * `executeMetaTransaction` from its own anvil account, paying the gas as a
 * relayer does. Its `mode` scripts the faults the tests need.
 * Used by the tests and by `npm run dev`.
 * Hand-written: there is no published local Biconomy server to run.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  encodeFunctionData,
  keccak256,
  parseGwei,
  type Account,
  type Chain,
  type Hex,
  type Transport,
  type WalletClient,
} from "viem";
import { metaTransactionsAbi } from "../../lambdas/shared/chain/meta-transaction";

/**
 * - `ok`: relays and answers the hash;
 * - `hang`: never answers; `down`: 503; `429`: rate limited; `refuse`: Biconomy's rejection body;
 * - `late`: signs the relay (high tip) but holds it, answering its hash; `silent`: holds it and never answers;
 * - `resubmit`: answers a hash that never mines and reports the real one as its resubmission.
 */
export type RelayerMode = "ok" | "hang" | "down" | "429" | "refuse" | "late" | "silent" | "resubmit";

export interface RelayerRequest {
  readonly path: string;
  readonly apiKey: string | undefined;
  readonly body: { to: string; params: [string, string, Hex, string, Hex]; from: string; apiId: string } | undefined;
}

export interface RelayerStandIn {
  readonly url: string;
  mode: RelayerMode;
  /** Every request, in order. */
  readonly received: RelayerRequest[];
  /** How many meta-transactions it submitted on chain. */
  relayed(): number;
  /** In `resubmit` mode: the hash that really mined. */
  readonly resubmittedAs: Hex | undefined;
  /** In `late` / `silent` mode: the signed relay, until `takeHeld()` hands it to the test to broadcast. */
  readonly held: Hex | undefined;
  takeHeld(): Hex | undefined;
  /** Back to `ok`, with nothing received or held. */
  reset(): void;
  stop(): Promise<void>;
}

const heldFee = { gas: 500_000n, maxFeePerGas: parseGwei("200"), maxPriorityFeePerGas: parseGwei("100") };

export async function startRelayerStandIn(wallet: WalletClient<Transport, Chain, Account>): Promise<RelayerStandIn> {
  let resubmittedAs: Hex | undefined;
  let held: Hex | undefined;
  let relayed = 0;
  const state = { mode: "ok" as RelayerMode, received: [] as RelayerRequest[] };

  const executeCall = (body: NonNullable<RelayerRequest["body"]>) => {
    const [user, functionName, functionSignature, nonce, signature] = body.params;
    return {
      to: body.to as Hex,
      data: encodeFunctionData({
        abi: metaTransactionsAbi,
        functionName: "executeMetaTransaction",
        args: [user as Hex, functionName, functionSignature, BigInt(nonce), signature],
      }),
    };
  };

  const answer = async (path: string, body: RelayerRequest["body"], response: ServerResponse) => {
    const reply = (status: number, json: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(json));
    };
    if (path.startsWith("/api/v1/meta-tx/resubmitted")) {
      return reply(200, {
        code: 200,
        message: "ok",
        data: resubmittedAs ? { newHash: resubmittedAs, newStatus: "CONFIRMED" } : {},
      });
    }
    if (state.mode === "hang") return;
    if (state.mode === "down") return reply(503, { message: "relayer down" });
    if (state.mode === "429") return reply(429, { message: "slow down" });
    if (state.mode === "refuse") return reply(200, { flag: 417, log: "not allowed" });
    if (path !== "/api/v2/meta-tx/native") return reply(404, { code: 404, message: "unknown route" });
    if (!body) return reply(400, { message: "no body" });
    if (state.mode === "late" || state.mode === "silent") {
      const request = await wallet.prepareTransactionRequest({ ...executeCall(body), ...heldFee });
      held = await wallet.signTransaction(request);
      if (state.mode === "silent") return;
      return reply(200, { txHash: keccak256(held) });
    }
    const hash = await wallet.sendTransaction(executeCall(body));
    relayed++;
    if (state.mode === "resubmit") {
      resubmittedAs = hash;
      return reply(200, { txHash: `0x${"ab".repeat(32)}` });
    }
    return reply(200, { txHash: hash, flag: 200 });
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const body = text ? (JSON.parse(text) as RelayerRequest["body"]) : undefined;
      const path = request.url ?? "";
      state.received.push({ path, apiKey: request.headers["x-api-key"] as string | undefined, body });
      answer(path, body, response).catch((error: unknown) => {
        response.writeHead(417, { "content-type": "application/json" });
        response.end(
          JSON.stringify({ code: 417, message: error instanceof Error ? error.message.split("\n")[0] : "" }),
        );
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get mode() {
      return state.mode;
    },
    set mode(value: RelayerMode) {
      state.mode = value;
    },
    received: state.received,
    relayed: () => relayed,
    get resubmittedAs() {
      return resubmittedAs;
    },
    get held() {
      return held;
    },
    takeHeld() {
      const taken = held;
      held = undefined;
      return taken;
    },
    reset() {
      state.mode = "ok";
      state.received.length = 0;
      resubmittedAs = undefined;
      held = undefined;
    },
    stop() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
