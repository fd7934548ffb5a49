/**
 * The withdraw job's dependencies as the tests and benches run it on the
 * protocol fixture: the seller's config (tokens, expected account, escrow
 * batches), its own idempotency table, the local subgraph, and a finality
 * wait that mines a block per poll. One place, so a new WithdrawConfig field
 * is added once.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { WriteClients } from "../../lambdas/shared/chain/clients";
import type { Sleep } from "../../lambdas/shared/chain/finality";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../../lambdas/shared/runtime/metrics";
import { createIdempotentRunner } from "../../lambdas/shared/stores/idempotency";
import type { WithdrawConfig, WithdrawDeps } from "../../lambdas/withdraw/withdraw";
import type { FixtureDeployment, SellerSetup } from "./protocol-fixture";

export function withdrawTestDeps(options: {
  fixture: FixtureDeployment;
  seller: SellerSetup;
  clients: WriteClients;
  tokens: WithdrawConfig["tokens"];
  /** An idempotency table of this test's own, and the client that reaches it. */
  table: string;
  dynamo: DynamoDBClient;
  subgraphUrl: string;
  requestId: string;
  sleep: Sleep;
  config?: Partial<WithdrawConfig>;
}): WithdrawDeps {
  const logger = createJobLogger("withdraw");
  return {
    config: {
      diamond: options.fixture.diamond,
      sellerId: options.seller.sellerId,
      tokens: options.tokens,
      confirmations: 2,
      windowSeconds: 3600,
      expectedSeller: { treasury: options.seller.treasury, admin: options.fixture.deployer.account.address },
      escrow: { batchSize: 20, maxPerRun: 200 },
      ...options.config,
    },
    clients: options.clients,
    logger,
    metrics: createJobMetrics("withdraw", "test"),
    idempotent: createIdempotentRunner({
      tableName: options.table,
      client: options.dynamo,
      logger,
      keyPrefix: "withdraw.test",
    }),
    subgraph: { url: options.subgraphUrl, logger },
    requestId: options.requestId,
    sleep: options.sleep,
    pollIntervalMs: 0,
  };
}
