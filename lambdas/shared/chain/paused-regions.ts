/**
 * Paused regions (checklist H2): before any state-changing call, read the
 * protocol's `getPausedRegions()`; a call whose region is paused is not sent,
 * and the run reports a transient outcome (a metric and a retry next run,
 * not an error page).
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Address, Chain, PublicClient, Transport } from "viem";
import { withToolCall } from "../runtime/logger";
import { pausableRegionName, pauseHandlerAbi, regionOf, type StateChangingFunction } from "./protocol";
import { withDecodedRevert } from "./revert";

export type PausedRegions = { values: readonly number[]; names: readonly string[] };

export async function readPausedRegions(
  publicClient: PublicClient<Transport, Chain>,
  diamond: Address,
  logger: Logger,
  context: { exchangeId?: string; requestId?: string } = {},
): Promise<PausedRegions> {
  const values = await withToolCall(
    logger,
    { tool: "rpc", operation: "getPausedRegions", ...context },
    () =>
      withDecodedRevert("getPausedRegions", () =>
        publicClient.readContract({ address: diamond, abi: pauseHandlerAbi, functionName: "getPausedRegions" }),
      ),
    (regions) => ({ details: { pausedRegions: regions.map(pausableRegionName) } }),
  );
  return { values, names: values.map(pausableRegionName) };
}

/** Thrown (and reported as transient) when a call's region is paused. */
export class RegionPausedError extends Error {
  readonly transient = true;
  constructor(
    readonly functionName: string,
    readonly region: string,
  ) {
    super(`${functionName} needs the ${region} region, which is paused; retrying next run`);
    this.name = "RegionPausedError";
  }
}

/** Throws RegionPausedError if `functionName`'s region is among `paused`. */
export function assertRegionOpen(paused: PausedRegions, functionName: StateChangingFunction): void {
  const region = regionOf[functionName];
  if (paused.values.includes(region)) throw new RegionPausedError(functionName, pausableRegionName(region));
}
