/**
 * Dispute deadlines (checklist B3), beside the "open more than a day"
 * service level: for each of the seller's open disputes, the protocol's own
 * deadline, read from the chain each run because the seller may extend it:
 *
 * - Resolving: the timeout (`getDisputeTimeout`). Until then the seller can
 *   resolve with the buyer (`resolveDispute` with the buyer's signature) or
 *   push it later (`extendDisputeTimeout`); after it, anyone may expire the
 *   dispute, which counts as retracted, and the buyer can no longer escalate.
 * - Escalated (`DisputeEscalated`): the dispute resolver's response period
 *   (the timeout becomes escalation + escalationResponsePeriod). Until then
 *   the seller can still resolve with the buyer and give the resolver its
 *   evidence; after it, anyone may expire the escalation (refused).
 *
 * At each configured lead time before a deadline the watcher pages once (an
 * ERROR record with the exchange id and what the seller can still do, and
 * one DisputeDeadlineNear count), remembered in the alert ledger per
 * (exchange, deadline, lead time): an extended timeout is a new deadline.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Address, PublicClient } from "viem";
import { withToolCall } from "../shared/runtime/logger";
import type { AlertLedger } from "../shared/stores/alert-ledger";
import { alertField, alertNames, metricNames } from "../contract";
import type { JobMetrics } from "../shared/runtime/metrics";
import type { SellerRecords } from "./seller-records";
import { disputeViewsAbi } from "./watched.abi";

export { disputeViewsAbi };

const resolving = 0;
const escalated = 3;

export type DeadlineKind = "dispute-timeout" | "resolver-response";

export type DisputeDeadline = { exchangeId: string; kind: DeadlineKind; deadline: bigint; escalatedAt?: bigint };

export const sellerCanStill: Readonly<Record<DeadlineKind, string>> = {
  "dispute-timeout":
    "resolve with the buyer (resolveDispute with the buyer's signature) or extend the timeout (extendDisputeTimeout, by the assistant); after it anyone may expire the dispute as retracted",
  "resolver-response":
    "resolve with the buyer (resolveDispute) and give the dispute resolver your evidence; after it anyone may expire the escalation as refused",
};

/** The lead times crossed `secondsLeft` before a deadline; empty once it has passed. */
export function crossedLeads(secondsLeft: bigint, leadHours: readonly number[]): number[] {
  if (secondsLeft <= 0n) return [];
  return leadHours.filter((hours) => secondsLeft <= BigInt(Math.round(hours * 3600))).sort((a, b) => a - b);
}

/** The open dispute's current deadline, or undefined once it is no longer resolving or escalated. */
export async function readDeadline(
  client: PublicClient,
  diamond: Address,
  logger: Logger,
  exchangeId: string,
): Promise<DisputeDeadline | undefined> {
  const context = { exchangeId };
  const [exists, dispute, dates] = await withToolCall(
    logger,
    { tool: "rpc", operation: "getDispute", ...context },
    () =>
      client.readContract({
        address: diamond,
        abi: disputeViewsAbi,
        functionName: "getDispute",
        args: [BigInt(exchangeId)],
      }),
  );
  if (!exists) return undefined;
  if (dispute.state === escalated)
    return { exchangeId, kind: "resolver-response", deadline: dates.timeout, escalatedAt: dates.escalated };
  if (dispute.state !== resolving) return undefined;
  const [, timeout] = await withToolCall(logger, { tool: "rpc", operation: "getDisputeTimeout", ...context }, () =>
    client.readContract({
      address: diamond,
      abi: disputeViewsAbi,
      functionName: "getDisputeTimeout",
      args: [BigInt(exchangeId)],
    }),
  );
  return { exchangeId, kind: "dispute-timeout", deadline: timeout };
}

export type DeadlinePage = {
  exchangeId: string;
  kind: DeadlineKind;
  deadline: string;
  hoursLeft: number;
  leadHours: number;
  sellerCanStill: string;
};

/** Checks every open dispute's deadline against the lead times; pages once per (deadline, lead time). */
export async function checkDisputeDeadlines(inputs: {
  client: PublicClient;
  diamond: Address;
  logger: Logger;
  ledger: AlertLedger;
  leadHours: readonly number[];
  nowSeconds: bigint;
  openExchangeIds: readonly string[];
  onPage: (page: DeadlinePage) => void;
}): Promise<DeadlinePage[]> {
  const pages: DeadlinePage[] = [];
  for (const exchangeId of inputs.openExchangeIds) {
    const deadline = await readDeadline(inputs.client, inputs.diamond, inputs.logger, exchangeId);
    if (deadline === undefined) continue;
    const secondsLeft = deadline.deadline - inputs.nowSeconds;
    const crossed = crossedLeads(secondsLeft, inputs.leadHours);
    const tightest = crossed[0];
    if (tightest === undefined) continue;
    // Every crossed lead is recorded; the page names the tightest, so a dispute first seen 10 h out pages once, not twice.
    const fresh = await Promise.all(
      crossed.map((lead) =>
        inputs.ledger.firstTime(`dispute-deadline#${exchangeId}#${deadline.kind}#${deadline.deadline}#${lead}h`, {
          exchangeId,
          deadline: deadline.deadline.toString(),
        }),
      ),
    );
    if (!fresh[0]) continue;
    const page: DeadlinePage = {
      exchangeId,
      kind: deadline.kind,
      deadline: new Date(Number(deadline.deadline) * 1000).toISOString(),
      hoursLeft: Math.round(Number(secondsLeft) / 36) / 100,
      leadHours: tightest,
      sellerCanStill: sellerCanStill[deadline.kind],
    };
    pages.push(page);
    inputs.onPage(page);
  }
  return pages;
}

/** The watcher's step: every open dispute of the seller, paged through the alert ledger; returns the exchange ids paged. */
export async function pageDisputeDeadlines(
  deps: {
    client: PublicClient;
    records: SellerRecords;
    logger: Logger;
    metrics: Pick<JobMetrics, "add">;
    alerts?: AlertLedger;
    config: { diamond: Address; sellerId: bigint; disputeAlertLeadHours?: readonly number[] };
  },
  head: { timestamp: bigint },
): Promise<string[]> {
  if (deps.alerts === undefined || deps.config.disputeAlertLeadHours === undefined) return [];
  const open = await deps.records.openDisputes(deps.config.sellerId);
  const pages = await checkDisputeDeadlines({
    client: deps.client,
    diamond: deps.config.diamond,
    logger: deps.logger,
    ledger: deps.alerts,
    leadHours: deps.config.disputeAlertLeadHours,
    nowSeconds: head.timestamp,
    openExchangeIds: Object.keys(open),
    onPage: (page) => {
      deps.metrics.add(metricNames.disputeDeadlineNear, 1);
      deps.logger.error("a dispute deadline is near", {
        [alertField]: alertNames.disputeDeadlineNear,
        severity: "high",
        ...page,
      });
    },
  });
  return pages.map((page) => page.exchangeId);
}
