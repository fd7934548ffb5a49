/**
 * KMS calls per meta-transaction (goal: 1) and RPC round trips per withdraw
 * run, by path (run by hand: `npx tsx bench/meta-transactions.ts`).
 *
 * One withdraw run each: direct (the assistant's own transaction, node nonce),
 * direct through the transaction lifecycle (lease and pending state in
 * DynamoDB), relayed (a local relayer speaking the Biconomy meta-transaction
 * API, relaying from another anvil account), and relayer down (the same
 * meta-transaction sent by the assistant through the lifecycle). Round trips
 * are HTTP requests to the RPC counted by the chain clients (a JSON-RPC batch
 * counts once); the relayer's own RPC traffic is not the job's and is not
 * counted. Finality at 1 confirmation, one block mined per poll.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createWalletClient, http, parseEther, zeroAddress, type Hex } from "viem";
import { lifecyclePolicy } from "../lambdas/shared/chain/lifecycle/policy";
import { metaTransactionsAbi } from "../lambdas/shared/chain/meta-transaction";
import { relayerFor } from "../lambdas/shared/chain/relayer";
import { createJobLogger } from "../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../lambdas/shared/runtime/metrics";
import { createIdempotentRunner } from "../lambdas/shared/stores/idempotency";
import { createSenderStateStore } from "../lambdas/shared/stores/sender-state";
import { runJob } from "../lambdas/shared/runtime/run-job";
import { withdrawJob, type WithdrawDeps } from "../lambdas/withdraw/withdraw";
import { startDynalite } from "../test/harness/dynalite";
import { startFixtureSubgraph } from "../test/harness/subgraph-server";
import { captureStdout } from "../test/harness/job-output";
import { startKmsSellerChain } from "../test/harness/kms-seller-chain";
import { anvilKeys, depositFunds } from "../test/harness/protocol-fixture";
import { privateKeyToAccount } from "viem/accounts";

type Path = "direct" | "direct + lifecycle" | "relayed" | "relayer down -> fallback";

async function main(): Promise<void> {
  const [chain, dynalite] = await Promise.all([startKmsSellerChain({ depositWei: parseEther("10") }), startDynalite()]);
  const subgraph = await startFixtureSubgraph(chain.anvil.rpcUrl, chain.fixture);
  let relayerDown = false;
  let relayerRequests = 0;
  const relayerWallet = createWalletClient({
    chain: chain.fixture.chain,
    transport: http(chain.anvil.rpcUrl),
    account: privateKeyToAccount(anvilKeys[1]),
  });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        relayerRequests++;
        if (relayerDown) return void response.writeHead(503).end();
        if (request.url?.startsWith("/api/v1/"))
          return void response.writeHead(200, { "content-type": "application/json" }).end("{}");
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          to: Hex;
          params: [Hex, string, Hex, string, Hex];
        };
        const [user, name, signature, nonce, userSignature] = body.params;
        const txHash = await relayerWallet.writeContract({
          address: body.to,
          abi: metaTransactionsAbi,
          functionName: "executeMetaTransaction",
          args: [user, name, signature, BigInt(nonce), userSignature],
        });
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ txHash }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const relayerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const output = captureStdout();
  const rows: { path: Path; status: string; kmsSign: number; rpcRoundTrips: number; relayerCalls: number }[] = [];
  try {
    let table = 0;
    for (const path of ["direct", "direct + lifecycle", "relayed", "relayer down -> fallback"] as const) {
      await depositFunds(chain.fixture, chain.seller.sellerId, zeroAddress, parseEther("1"));
      const name = `bench-${++table}`;
      await dynalite.createTable(name);
      const clients = chain.writeClients("withdraw");
      const logger = createJobLogger("withdraw");
      relayerDown = path === "relayer down -> fallback";
      const relayed = path === "relayed" || relayerDown;
      const deps: WithdrawDeps = {
        config: {
          diamond: chain.fixture.diamond,
          sellerId: chain.seller.sellerId,
          tokens: [
            { address: zeroAddress, symbol: "ETH", withdrawThresholdWei: parseEther("0.5"), reserveMarginWei: 0n },
          ],
          confirmations: 1,
          windowSeconds: 3600,
          expectedSeller: { treasury: chain.seller.treasury, admin: chain.fixture.deployer.account.address },
          escrow: { batchSize: 20, maxPerRun: 200 },
        },
        subgraph: { url: subgraph.url, logger },
        clients,
        logger,
        metrics: createJobMetrics("withdraw", "bench"),
        idempotent: createIdempotentRunner({
          tableName: name,
          client: dynalite.newClient(),
          logger,
          keyPrefix: "withdraw.bench",
        }),
        requestId: name,
        // Each run in its own idempotency window: the same window is the same write (and the same meta-transaction nonce).
        now: () => Date.now() + table * 3_600_000,
        sleep: chain.mineOnSleep,
        pollIntervalMs: 10,
        ...(relayed
          ? {
              relayer: relayerFor(
                {
                  url: relayerUrl,
                  apiId: "bench",
                  apiKey: "bench-key",
                  ratePerSecond: 10,
                  burst: 10,
                  timeoutMs: 2_000,
                },
                { now: Date.now },
              ),
            }
          : {}),
        ...(path !== "direct"
          ? { lifecycle: { store: createSenderStateStore(dynalite.documents, name), policy: lifecyclePolicy() } }
          : {}),
      };
      chain.kms.resetCounters();
      relayerRequests = 0;
      const before = clients.usage.httpRequests;
      const outcome = await runJob(withdrawJob, deps);
      rows.push({
        path,
        status: `${outcome.status} (${outcome.path ?? "-"})`,
        kmsSign: chain.kms.calls().Sign,
        rpcRoundTrips: clients.usage.httpRequests - before,
        relayerCalls: relayerRequests,
      });
    }
  } finally {
    output.restore();
    server.close();
    await Promise.all([subgraph.stop(), chain.stop(), dynalite.stop()]);
  }
  console.log("Withdraw run, one token, 1 confirmation (ratios within this run; absolute counts depend on polling)\n");
  console.log("| path | outcome | KMS Sign calls | RPC round trips | relayer HTTP calls |");
  console.log("| --- | --- | ---: | ---: | ---: |");
  for (const row of rows)
    console.log(`| ${row.path} | ${row.status} | ${row.kmsSign} | ${row.rpcRoundTrips} | ${row.relayerCalls} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
