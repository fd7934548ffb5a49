import type { KitConfig } from "../config";
import { environmentVariables as env } from "../../lambdas/contract";
import { metricsNamespace } from "../../lambdas/contract";

/**
 * The part of every job's environment that comes straight from the validated
 * stack config: ids, addresses, thresholds. Deliberately built from plain
 * config fields only; `config.rpc` (secret) is never read here, the jobs get
 * the RPC secret's ARN instead (checklist S3, S4: the configId comes from the
 * stack, never from code).
 */
export function configEnvironment(config: KitConfig): Record<string, string> {
  return {
    [env.stack]: config.stack,
    [env.configId]: config.configId,
    [env.chainId]: String(config.chain.id),
    [env.protocolDiamond]: config.protocol.diamond,
    [env.subgraphUrl]: config.protocol.subgraphUrl,
    [env.confirmations]: String(config.confirmations),
    [env.sellerId]: config.seller.id,
    [env.sellerTreasury]: config.seller.treasury,
    [env.sellerAdmin]: config.seller.admin,
    [env.sellerTokens]: JSON.stringify(config.seller.tokens),
    [env.expectedDailyBurnWei]: config.gas.expectedDailyBurnWei,
    [env.gasAlertRatios]: JSON.stringify(config.gas.alertRatios),
    [env.subgraphMaxLagBlocks]: String(config.subgraph.maxLagBlocks),
    [env.escrowBatchSize]: String(config.escrow.batchSize),
    [env.escrowMaxPerRun]: String(config.escrow.maxPerRun),
    [env.disputeAlertLeadHours]: JSON.stringify(config.disputes.alertLeadHours),
    [env.metricsNamespace]: metricsNamespace,
    ...(config.relayer ? { [env.relayer]: JSON.stringify(config.relayer) } : {}),
    ...(config.transactions ? { [env.txLifecycle]: JSON.stringify(config.transactions) } : {}),
    ...(config.priceFeed ? { [env.priceFeed]: JSON.stringify(config.priceFeed) } : {}),
  };
}
