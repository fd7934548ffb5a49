/**
 * A local meta-transaction relayer speaking the Biconomy API the kit's
 * adapter calls (`POST /api/v2/meta-tx/native`, lambdas/shared/chain/relayer.ts):
 * it submits `executeMetaTransaction` from anvil's account #1, as a relayer
 * pays the gas. `setDown(true)` makes it answer 503, the relayer being down.
 * Hand-written: there is no published local Biconomy server to run.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Hex } from "viem";
import { anvilKeys, type FixtureDeployment } from "../../test/harness/protocol-fixture";

export type RelayerStandIn = { url: string; relayed(): number; setDown(down: boolean): void; stop(): Promise<void> };

export async function startRelayerStandIn(fixture: FixtureDeployment): Promise<RelayerStandIn> {
  const relayerWallet = fixture.wallet(anvilKeys[1]);
  let down = false;
  let relayed = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      };
      if (down) return reply(503, { message: "relayer down" });
      if (request.method !== "POST" || request.url !== "/api/v2/meta-tx/native")
        return reply(404, { code: 404, message: "unknown route" });
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { params: [Hex, string, Hex, string, Hex] };
      const [user, functionName, functionSignature, nonce, signature] = body.params;
      relayerWallet
        .writeContract({
          address: fixture.diamond,
          abi: fixture.abi,
          functionName: "executeMetaTransaction",
          args: [user, functionName, functionSignature, BigInt(nonce), signature],
        })
        .then(
          (txHash) => {
            relayed++;
            reply(200, { txHash, flag: 200 });
          },
          (error: unknown) =>
            reply(417, { code: 417, message: error instanceof Error ? error.message.split("\n")[0] : String(error) }),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    relayed: () => relayed,
    setDown: (value) => {
      down = value;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
