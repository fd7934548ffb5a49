/**
 * RPC round trips per job run (run by hand: `npx tsx bench/jobs.ts`).
 *
 * - health: as the seller's token list grows. The job issues its chain reads
 *   together; with JSON-RPC batching (the chain clients' default) they go out
 *   as one HTTP request, and getAvailableFunds takes the whole token list, so
 *   the count should not move with the number of tokens.
 * - watcher: as the block range to catch up on
 *   grows, with a fixed number of protocol events in it.
 *
 * Round trips are HTTP requests to the RPC, counted by the chain clients'
 * transport (`usage.httpRequests`); a JSON-RPC batch counts once.
 */
import { parseEther, zeroAddress, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { healthJob } from "../lambdas/health/health";
import { runJob } from "../lambdas/shared/runtime/run-job";
import { createEventStore } from "../lambdas/shared/stores/events";
import { createCheckpointStore } from "../lambdas/shared/stores/checkpoints";
import { createReadClients } from "../lambdas/shared/chain/clients";
import { createJobLogger } from "../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../lambdas/shared/runtime/metrics";
import { protocolAbi } from "../lambdas/shared/chain/protocol";
import { createSellerRecords } from "../lambdas/watcher/seller-records";
import { runWatcher } from "../lambdas/watcher/watcher";
import { startAnvil } from "../test/harness/anvil";
import { startDynalite } from "../test/harness/dynalite";
import { captureStdout } from "../test/harness/job-output";
import {
  anvilKeys,
  createOffer,
  createSeller,
  deployProtocolFixture,
  depositFunds,
  send,
} from "../test/harness/protocol-fixture";
import { startFixtureSubgraph } from "../test/harness/subgraph-server";
import { markdownTable } from "./markdown-table";

const tokenCounts = [1, 10, 50, 200] as const;
const blockRanges = [100n, 1_000n, 5_000n] as const;

function tokenList(count: number): { address: Address; symbol: string }[] {
  return Array.from({ length: count }, (_, index) => ({
    address: index === 0 ? zeroAddress : (`0x${index.toString(16).padStart(40, "0")}` as Address),
    symbol: index === 0 ? "ETH" : `T${index}`,
  }));
}

async function main(): Promise<void> {
  const anvil = await startAnvil();
  const dynalite = await startDynalite();
  const fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  const signer = privateKeyToAccount(anvilKeys[1]).address;
  const seller = await createSeller(fixture, signer, privateKeyToAccount(anvilKeys[3]).address);
  await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
  const offerId = await createOffer(fixture, seller.sellerId, { price: parseEther("0.01") });
  const buyer = fixture.wallet(anvilKeys[2]);
  for (let index = 0; index < 5; index++) {
    await send(fixture, buyer, {
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "commitToOffer",
      args: [buyer.account.address, offerId],
      value: parseEther("0.01"),
    });
  }
  const subgraph = await startFixtureSubgraph(anvil.rpcUrl, fixture);
  const output = captureStdout(); // the jobs' log records and metrics would drown the tables

  const healthRows: string[][] = [];
  try {
    for (const count of tokenCounts) {
      const row = [String(count)];
      for (const batch of [true, false]) {
        const logger = createJobLogger("health");
        const clients = createReadClients({ chainId: anvil.chain.id, urls: { primary: anvil.rpcUrl }, logger, batch });
        const started = performance.now();
        const outcome = await runJob(healthJob, {
          config: {
            diamond: fixture.diamond,
            sellerId: seller.sellerId,
            tokens: tokenList(count),
            signer,
            expectedDailyBurnWei: parseEther("0.1"),
            subgraphMaxLagBlocks: 20,
            gasAlertRatios: [0.5, 0.2, 0.1],
          },
          clients,
          subgraph: { url: subgraph.url, logger },
          // This table measures RPC round trips; bench/health-history.ts measures the business counters.
          tally: { read: () => Promise.resolve(undefined) },
          logger,
          metrics: createJobMetrics("health", "bench"),
          requestId: "bench",
        });
        row.push(String(outcome.report.rpcRoundTrips), `${Math.round(performance.now() - started)} ms`);
      }
      healthRows.push(row);
    }
  } finally {
    output.restore();
  }
  console.log("\nhealth: RPC round trips per run by number of seller tokens\n");
  console.log(
    markdownTable(
      ["tokens", "batched: round trips", "batched: time", "unbatched: round trips", "unbatched: time"],
      healthRows,
      "right",
    ),
  );

  const watcherRows: string[][] = [];
  const capture = captureStdout();
  try {
    for (const [index, range] of blockRanges.entries()) {
      const tables = [`bench-events-${index}`, `bench-checkpoints-${index}`];
      for (const table of tables) await dynalite.createTable(table);
      // Every range starts at the diamond's deployment (the same events, at its start) and grows the empty tail.
      const startBlock = fixture.deployBlock;
      for (
        let head = await fixture.publicClient.getBlockNumber();
        head < startBlock + range;
        head = await fixture.publicClient.getBlockNumber()
      ) {
        await fixture.testClient.mine({
          blocks: Number(startBlock + range - head > 500n ? 500n : startBlock + range - head),
        });
      }
      const logger = createJobLogger("watcher");
      const clients = createReadClients({ chainId: anvil.chain.id, urls: { primary: anvil.rpcUrl }, logger });
      const started = performance.now();
      const result = await runWatcher({
        client: clients.publicClient,
        events: createEventStore(dynalite.documents, tables[0] ?? ""),
        checkpoints: createCheckpointStore(dynalite.documents, tables[1] ?? ""),
        records: createSellerRecords(dynalite.documents, tables[0] ?? ""),
        metrics: createJobMetrics("watcher", "bench"),
        logger,
        config: {
          diamond: fixture.diamond,
          sellerId: seller.sellerId,
          confirmations: 1,
          startBlock,
          maxBlockRange: 2_000n,
          maxRangesPerRun: 100,
          kitAddresses: [signer],
        },
      });
      watcherRows.push([
        range.toString(),
        String(result.ranges),
        String(result.logs),
        String(clients.usage.httpRequests),
        `${Math.round(performance.now() - started)} ms`,
      ]);
    }
  } finally {
    capture.restore();
  }
  console.log("\nwatcher: RPC round trips per run by block range (getLogs ranges of 2,000 blocks)\n");
  console.log(markdownTable(["blocks", "getLogs ranges", "logs", "round trips", "time"], watcherRows, "right"));

  await Promise.all([subgraph.stop(), dynalite.stop(), anvil.stop()]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
