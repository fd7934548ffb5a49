/**
 * The smoke job (checklist M2, C4): on every release, runs a known test offer
 * through the exchange state machine with the KMS account as both buyer and
 * the seller's assistant:
 *
 *   exchange A: commit -> redeem -> raise dispute -> resolve dispute
 *               (mutual resolution: the seller's EIP-712 signature, KMS-signed)
 *   exchange B: commit -> redeem -> complete
 *
 * After each write it waits until the subgraph has indexed the write's block
 * (O2) and checks the exchange's state there. Every step is reported pass or
 * fail with its timing; a failed step skips the rest of its exchange. Writes
 * are idempotent (O1): commits on (run, exchange), the others on
 * (exchangeId, target state).
 *
 * The offer is paid as `smoke.exchangeToken` says (checked against the
 * chain's offer first): free, the native coin (the commit's value; never
 * through a relayer, as a meta-transaction carries no value), or an ERC-20,
 * approved to the diamond by the buyer before each commit (erc20-allowance.ts).
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { decodeEventLog, zeroAddress, type Address, type Hex } from "viem";
import type { WriteClients } from "../shared/chain/clients";
import type { Sleep } from "../shared/chain/finality";
import type { IdempotencyKey, IdempotentRunner } from "../shared/stores/idempotency";
import { errorSummary, isTransient, transientReason, type JobOutcome } from "../shared/runtime/outcome";
import type { Job } from "../shared/runtime/run-job";
import { withToolCall } from "../shared/runtime/logger";
import type { JobMetrics } from "../shared/runtime/metrics";
import { metricNames } from "../contract";
import { readPausedRegions } from "../shared/chain/paused-regions";
import { protocolAbi, resolutionTypedData, type StateChangingFunction } from "../shared/chain/protocol";
import type { Relayer } from "../shared/chain/relayer";
import { withDecodedRevert } from "../shared/chain/revert";
import {
  subgraphExchange,
  waitForIndexedBlock,
  type SubgraphClient,
  type SubgraphExchange,
} from "../shared/chain/subgraph";
import { sendProtocolTransaction, type SendOptions } from "../shared/chain/transactions";
import { ensureAllowance } from "./erc20-allowance";

/** How the test offer is paid: free (price 0), the native coin, or an ERC-20 (its address). */
export type SmokeExchangeToken = "free" | "native" | Address;

export type SmokeConfig = {
  diamond: Address;
  offerId: bigint;
  exchangeToken: SmokeExchangeToken;
  confirmations: number;
  /** Buyer's share in the mutual resolution, basis points. */
  buyerPercent: bigint;
};

export type SmokeDeps = {
  config: SmokeConfig;
  clients: WriteClients;
  subgraph: SubgraphClient;
  logger: Logger;
  metrics: JobMetrics;
  idempotent: IdempotentRunner;
  relayer?: Relayer;
  /** The transaction lifecycle (the handler always gives it; tests may leave it out). */
  lifecycle?: SendOptions["lifecycle"];
  requestId: string;
  sleep?: Sleep;
  pollIntervalMs?: number;
  /** How long to wait for the subgraph to index a write (default 2 minutes). */
  indexingTimeoutMs?: number;
};

export type SmokeStepName = "commit" | "redeem" | "raiseDispute" | "resolveDispute" | "completeExchange";

export type SmokeStep = {
  exchange: "A" | "B";
  step: SmokeStepName;
  status: "passed" | "failed" | "skipped";
  exchangeId?: string;
  txHash?: string;
  blockNumber?: string;
  /** Write (to finality) plus subgraph indexing, in ms. */
  durationMs: number;
  /** Of which: waiting for the subgraph to index the block. */
  indexingMs?: number;
  error?: unknown;
};

export type SmokeOutcome = JobOutcome & { steps: SmokeStep[] };

type StepRecord = {
  txHash: string;
  blockNumber: string;
  gasSpentWei: string;
  exchangeId: string;
  /** The buyer's ERC-20 approval sent before this commit, if one was needed. */
  approvalTxHash?: string;
};

const expectedState: Record<SmokeStepName, SubgraphExchange["state"]> = {
  commit: "COMMITTED",
  redeem: "REDEEMED",
  raiseDispute: "DISPUTED",
  resolveDispute: "DISPUTED",
  completeExchange: "COMPLETED",
};

const functionOf: Record<SmokeStepName, StateChangingFunction> = {
  commit: "commitToOffer",
  redeem: "redeemVoucher",
  raiseDispute: "raiseDispute",
  resolveDispute: "resolveDispute",
  completeExchange: "completeExchange",
};

class SmokeCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SmokeCheckError";
  }
}

/** One run: both exchanges through their paths, each step reported. */
export async function smokeTest(deps: SmokeDeps): Promise<SmokeOutcome> {
  const { config, clients, logger, metrics, requestId } = deps;
  const { publicClient, account, chain } = clients;
  const steps: SmokeStep[] = [];
  let gasSpent = 0n;
  let transient: string | undefined;

  const offer = await withToolCall(logger, { tool: "rpc", operation: "getOffer", requestId }, () =>
    withDecodedRevert("getOffer", () =>
      publicClient.readContract({
        address: config.diamond,
        abi: protocolAbi,
        functionName: "getOffer",
        args: [config.offerId],
      }),
    ),
  ).catch((error: unknown) => error);
  if (offer instanceof Error || !Array.isArray(offer) || !offer[0]) {
    return {
      status: "failed",
      reason: "no-test-offer",
      ...(offer instanceof Error ? { error: errorSummary(offer) } : {}),
      steps,
    };
  }
  const { price, exchangeToken } = offer[1];
  const mismatch = offerPaymentMismatch(config.exchangeToken, { exchangeToken, price }, deps.relayer !== undefined);
  if (mismatch) {
    logger.error("the smoke offer is not paid as the config says", { offerId: config.offerId.toString(), mismatch });
    return { status: "failed", reason: mismatch.reason, error: mismatch, steps };
  }
  const erc20 = exchangeToken !== zeroAddress && price > 0n ? exchangeToken : undefined;

  const runStep = async (
    exchange: "A" | "B",
    step: SmokeStepName,
    exchangeId: bigint | undefined,
  ): Promise<bigint | undefined> => {
    const started = performance.now();
    const report: SmokeStep = {
      exchange,
      step,
      status: "failed",
      durationMs: 0,
      ...(exchangeId !== undefined ? { exchangeId: exchangeId.toString() } : {}),
    };
    steps.push(report);
    try {
      const key: IdempotencyKey =
        step === "commit"
          ? { run: requestId, exchange }
          : {
              exchangeId: String(exchangeId),
              targetState: expectedState[step] + (step === "resolveDispute" ? ":RESOLVED" : ""),
            };
      const result = await deps.idempotent<StepRecord>(step, key, async () => {
        const args = await argumentsFor(step, exchangeId);
        const idempotencyKey = `${step}:${JSON.stringify(key)}`;
        const options: SendOptions = {
          clients,
          diamond: config.diamond,
          logger,
          requestId,
          ...(exchangeId !== undefined ? { exchangeId: exchangeId.toString() } : {}),
          confirmations: config.confirmations,
          idempotencyKey,
          metrics,
          ...(deps.relayer ? { relayer: deps.relayer } : {}),
          ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}),
          ...(deps.sleep ? { sleep: deps.sleep } : {}),
          ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
        };
        const approval =
          step === "commit" && erc20
            ? await ensureAllowance({ token: erc20, price, idempotencyKey }, options)
            : undefined;
        // Only a native price travels as the commit's value; an ERC-20 price is pulled by the diamond.
        const value = step === "commit" && exchangeToken === zeroAddress ? { value: price } : {};
        const sent = await sendProtocolTransaction({ functionName: functionOf[step], args, ...value }, options);
        const id = exchangeId ?? committedExchangeId(sent.receipt.logs);
        return {
          txHash: sent.txHash,
          blockNumber: sent.receipt.blockNumber.toString(),
          gasSpentWei: (sent.gasSpentWei + (approval?.approved ? approval.gasSpentWei : 0n)).toString(),
          exchangeId: id.toString(),
          ...(approval?.approved ? { approvalTxHash: approval.txHash } : {}),
        };
      });
      if (result.status === "in-progress") throw new SmokeCheckError("another run holds this step (in progress)");
      const record = result.result;
      if (result.status === "executed") gasSpent += BigInt(record.gasSpentWei);
      Object.assign(report, { exchangeId: record.exchangeId, txHash: record.txHash, blockNumber: record.blockNumber });

      // Read-after-write (O2): the subgraph must have indexed the block before we read the state from it.
      const indexingStarted = performance.now();
      await waitForIndexedBlock(deps.subgraph, BigInt(record.blockNumber), {
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        pollIntervalMs: deps.pollIntervalMs ?? 1_000,
        timeoutMs: deps.indexingTimeoutMs ?? 120_000,
        exchangeId: record.exchangeId,
      });
      report.indexingMs = Math.round(performance.now() - indexingStarted);
      const indexed = await subgraphExchange(deps.subgraph, record.exchangeId);
      if (indexed?.state !== expectedState[step]) {
        throw new SmokeCheckError(
          `subgraph has exchange ${record.exchangeId} in ${indexed?.state ?? "no state"}, expected ${expectedState[step]}`,
        );
      }
      if (step === "resolveDispute" && indexed.finalizedDate === null)
        throw new SmokeCheckError(`subgraph has exchange ${record.exchangeId} not finalized after the resolution`);
      report.status = "passed";
      return BigInt(record.exchangeId);
    } catch (error) {
      report.error = errorSummary(error);
      if (isTransient(error)) transient ??= transientReason(error);
      return undefined;
    } finally {
      report.durationMs = Math.round(performance.now() - started);
      metrics.add(metricNames.smokeStepDurationMs, report.durationMs, "Milliseconds");
      if (report.status === "failed") metrics.add(metricNames.smokeStepFailed, 1);
      const message = `smoke step ${exchange}.${step} ${report.status}`;
      if (report.status === "passed") logger.info(message, { step: report, exchangeId: report.exchangeId });
      else logger.error(message, { step: report, exchangeId: report.exchangeId });
    }
  };

  const argumentsFor = async (step: SmokeStepName, exchangeId: bigint | undefined): Promise<readonly unknown[]> => {
    if (step === "commit") return [account.address, config.offerId];
    if (exchangeId === undefined) throw new SmokeCheckError(`${step} needs an exchange`);
    if (step !== "resolveDispute") return [exchangeId];
    // The seller's side of a mutual resolution, signed by the assistant's KMS key (EIP-712).
    const signature = await withToolCall(
      logger,
      { tool: "kms", operation: "signTypedData", exchangeId: exchangeId.toString(), requestId },
      () =>
        clients.walletClient.signTypedData({
          account,
          ...resolutionTypedData({
            diamond: config.diamond,
            chainId: chain.id,
            exchangeId,
            buyerPercent: config.buyerPercent,
          }),
        }),
    );
    return [exchangeId, config.buyerPercent, signature];
  };

  const runExchange = async (exchange: "A" | "B", path: readonly SmokeStepName[]) => {
    let exchangeId: bigint | undefined;
    for (const [index, step] of path.entries()) {
      exchangeId = await runStep(exchange, step, exchangeId);
      if (exchangeId === undefined) {
        for (const skipped of path.slice(index + 1))
          steps.push({ exchange, step: skipped, status: "skipped", durationMs: 0 });
        return;
      }
    }
  };

  // The paused-region check happens before every write (in sendProtocolTransaction); this read only logs the state up front.
  await readPausedRegions(publicClient, config.diamond, logger, { requestId }).catch(() => undefined);
  await runExchange("A", ["commit", "redeem", "raiseDispute", "resolveDispute"]);
  await runExchange("B", ["commit", "redeem", "completeExchange"]);

  if (gasSpent > 0n) metrics.add(metricNames.gasSpentWei, Number(gasSpent));
  const failed = steps.filter((step) => step.status === "failed");
  const status =
    failed.length === 0
      ? "succeeded"
      : transient && failed.every((step) => isTransientSummary(step.error))
        ? "transient"
        : "failed";
  return {
    status,
    ...(status === "transient" && transient !== undefined
      ? { reason: transient }
      : status === "failed"
        ? { reason: `${failed.length} step(s) failed` }
        : {}),
    steps,
  };
}

export const smokeJob: Job<SmokeDeps, SmokeOutcome> = {
  name: "smoke",
  run: smokeTest,
  failed: (outcome) => ({ ...outcome, steps: [] }),
};

/** Why the chain's offer is not paid as the config says, or undefined when it is. */
export function offerPaymentMismatch(
  configured: SmokeExchangeToken,
  offer: { exchangeToken: Address; price: bigint },
  relayed: boolean,
): { reason: string; message: string } | undefined {
  if (configured === "free") {
    return offer.price === 0n
      ? undefined
      : { reason: "test-offer-not-free", message: `smoke.exchangeToken is free, but the offer costs ${offer.price}` };
  }
  const expected = configured === "native" ? zeroAddress : configured;
  if (offer.exchangeToken.toLowerCase() !== expected.toLowerCase()) {
    return {
      reason: "test-offer-token-mismatch",
      message: `smoke.exchangeToken is ${configured}, but the offer is priced in ${offer.exchangeToken === zeroAddress ? "the native coin" : offer.exchangeToken}`,
    };
  }
  // A meta-transaction carries no value (the config refuses this too).
  if (relayed && configured === "native" && offer.price > 0n) {
    return {
      reason: "test-offer-native-with-relayer",
      message: "a native-priced offer cannot be committed to through the relayer: use a free or ERC-20 priced offer",
    };
  }
  return undefined;
}

function isTransientSummary(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === "RegionPausedError" || name === "NotFinalError";
}

function committedExchangeId(logs: readonly { topics: readonly Hex[]; data: Hex }[]): bigint {
  for (const log of logs) {
    try {
      const event = decodeEventLog({ abi: protocolAbi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
      if (event.eventName === "BuyerCommitted") return event.args.exchangeId;
    } catch {
      // not this event
    }
  }
  throw new SmokeCheckError("the commit emitted no BuyerCommitted");
}
