/**
 * The health job's subgraph cost as the seller's history grows (run by hand:
 * `npx tsx bench/health-history.ts`): 100, 10,000 and 100,000 exchanges in
 * the local subgraph, one health run each, against computing the business
 * figures from every exchange (paged with `skip`) on the same data: the cost
 * the watcher's counters spare the health job.
 *
 * The exchanges are added to the local subgraph directly (mining 100,000 on
 * anvil would take the bench's whole budget), and the watcher's counters item
 * is written with the same figures, as the watcher would have left it.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { parseEther, zeroAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { healthJob } from "../lambdas/health/health";
import { runJob } from "../lambdas/shared/runtime/run-job";
import { createReadClients } from "../lambdas/shared/chain/clients";
import { querySubgraph } from "../lambdas/shared/chain/subgraph";
import { createJobLogger } from "../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../lambdas/shared/runtime/metrics";
import { createBusinessTally, tallyKey, type TallyCounters } from "../lambdas/shared/stores/business-tally";
import { startAnvil } from "../test/harness/anvil";
import { startDynalite } from "../test/harness/dynalite";
import { fullScanMetrics, type SubgraphExchangeEntity } from "../test/harness/exchange-entities";
import { captureStdout } from "../test/harness/job-output";
import { anvilKeys, createSeller, deployProtocolFixture } from "../test/harness/protocol-fixture";
import { startFixtureSubgraph } from "../test/harness/subgraph-server";
import { markdownTable } from "./markdown-table";

const historySizes = [100, 10_000, 100_000] as const;

/** A synthetic history: a third completed an hour after commit, a tenth disputed, the rest open. */
function syntheticExchanges(count: number, sellerId: string, firstId: number): SubgraphExchangeEntity[] {
  return Array.from({ length: count }, (_, index) => {
    const committed = 1_700_000_000 + index * 60;
    const kind = index % 10 === 0 ? "disputed" : index % 3 === 0 ? "completed" : "open";
    return {
      id: String(firstId + index),
      offerId: "1",
      sellerId,
      buyerId: "1",
      validUntilDate: String(committed + 30 * 24 * 3600),
      state: kind === "disputed" ? "DISPUTED" : kind === "completed" ? "COMPLETED" : "COMMITTED",
      committedDate: String(committed),
      redeemedDate: kind === "open" ? null : String(committed + 600),
      finalizedDate: kind === "completed" ? String(committed + 3600) : null,
      disputed: kind === "disputed",
      disputeState: kind === "disputed" ? "RESOLVING" : null,
    };
  });
}

function countersOf(exchanges: readonly SubgraphExchangeEntity[]): TallyCounters {
  const completed = exchanges.filter((exchange) => exchange.state === "COMPLETED");
  return {
    committed: exchanges.length,
    redeemed: exchanges.filter((exchange) => exchange.redeemedDate !== null).length,
    disputed: exchanges.filter((exchange) => exchange.disputed).length,
    finalized: exchanges.filter((exchange) => exchange.finalizedDate !== null).length,
    completed: completed.length,
    timedCompletions: completed.length,
    completionSecondsSum: completed.reduce(
      (sum, exchange) => sum + Number(exchange.finalizedDate) - Number(exchange.committedDate),
      0,
    ),
  };
}

/** The figures without the counters: every exchange, 1,000 at a time, paged with `skip`. */
async function skipPagedScan(url: string, sellerId: string): Promise<number> {
  const logger = createJobLogger("health");
  const query = `query SellerExchanges($sellerId: String!, $first: Int!, $skip: Int!) {
  exchanges(where: { seller: $sellerId }, first: $first, skip: $skip, orderBy: id, orderDirection: asc) { id state committedDate redeemedDate finalizedDate disputed }
}`;
  let total = 0;
  for (let skip = 0; ; skip += 1000) {
    const page = await querySubgraph<{ exchanges: unknown[] }>({ url, logger }, "exchanges", query, {
      sellerId,
      first: 1000,
      skip,
    });
    total += page.exchanges.length;
    if (page.exchanges.length < 1000) return total;
  }
}

async function main(): Promise<void> {
  const anvil = await startAnvil();
  const dynalite = await startDynalite(["bench-events"]);
  const fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  const signer = privateKeyToAccount(anvilKeys[1]).address;
  const seller = await createSeller(fixture, signer, privateKeyToAccount(anvilKeys[3]).address);
  const sellerId = seller.sellerId.toString();
  const rows: string[][] = [];
  const output = captureStdout(); // the jobs' log records would drown the table
  try {
    let added = 0;
    for (const size of historySizes) {
      const subgraph = await startFixtureSubgraph(anvil.rpcUrl, fixture);
      const exchanges = syntheticExchanges(size, sellerId, added + 1);
      added += size;
      subgraph.addExchanges(exchanges);
      await dynalite.documents.send(
        new PutCommand({
          TableName: "bench-events",
          Item: { id: tallyKey(sellerId), recordType: "business-tally", ...countersOf(exchanges) },
        }),
      );

      const logger = createJobLogger("health");
      const requestsBefore = Object.values(subgraph.requests()).reduce((sum, count) => sum + count, 0);
      const bytesBefore = subgraph.responseBytes();
      const started = performance.now();
      const outcome = await runJob(healthJob, {
        config: {
          diamond: fixture.diamond,
          sellerId: seller.sellerId,
          tokens: [{ address: zeroAddress, symbol: "ETH" }],
          signer,
          expectedDailyBurnWei: parseEther("0.1"),
          subgraphMaxLagBlocks: 20,
          gasAlertRatios: [0.5, 0.2, 0.1],
        },
        clients: createReadClients({ chainId: anvil.chain.id, urls: { primary: anvil.rpcUrl }, logger }),
        subgraph: { url: subgraph.url, logger },
        tally: createBusinessTally(dynalite.documents, "bench-events", sellerId),
        logger,
        metrics: createJobMetrics("health", "bench"),
        requestId: "bench",
      });
      const healthMs = performance.now() - started;
      const healthRequests = Object.values(subgraph.requests()).reduce((sum, count) => sum + count, 0) - requestsBefore;
      const healthBytes = subgraph.responseBytes() - bytesBefore;
      const same = JSON.stringify(outcome.report.business) === JSON.stringify(fullScanMetrics(exchanges));

      const scanRequestsBefore = Object.values(subgraph.requests()).reduce((sum, count) => sum + count, 0);
      const scanBytesBefore = subgraph.responseBytes();
      const scanStarted = performance.now();
      await skipPagedScan(subgraph.url, sellerId);
      const scanMs = performance.now() - scanStarted;
      rows.push([
        size.toLocaleString("en-US"),
        String(healthRequests),
        String(healthBytes),
        `${Math.round(healthMs)} ms`,
        same ? "yes" : "NO",
        String(Object.values(subgraph.requests()).reduce((sum, count) => sum + count, 0) - scanRequestsBefore),
        String(subgraph.responseBytes() - scanBytesBefore),
        `${Math.round(scanMs)} ms`,
      ]);
      await subgraph.stop();
    }
  } finally {
    output.restore();
    await Promise.all([anvil.stop(), dynalite.stop()]);
  }
  console.log("\nhealth: subgraph cost per run by the seller's history (local subgraph)\n");
  console.log(
    markdownTable(
      [
        "exchanges",
        "health: requests",
        "health: bytes",
        "health: time",
        "figures = full scan",
        "old skip scan: requests",
        "old: bytes",
        "old: time",
      ],
      rows,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
