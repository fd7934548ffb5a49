/**
 * Paused regions (H2): each state-changing call maps to the region the
 * protocol checks, and a paused region stops the call as a transient error
 * (the end-to-end cases are in the withdraw, smoke and health tests).
 */
import { describe, expect, it } from "vitest";
import { assertRegionOpen, RegionPausedError } from "../../lambdas/shared/chain/paused-regions";
import { PausableRegion, pausableRegionName, regionOf } from "../../lambdas/shared/chain/protocol";
import { isTransient, outcomeOfError } from "../../lambdas/shared/runtime/outcome";

describe("paused regions", () => {
  it("maps each state-changing call to the region the protocol checks", () => {
    expect(regionOf.withdrawFunds).toBe(PausableRegion.Funds);
    expect(regionOf.commitToOffer).toBe(PausableRegion.Exchanges);
    expect(regionOf.resolveDispute).toBe(PausableRegion.Disputes);
    expect(pausableRegionName(14)).toBe("SequentialCommit");
    expect(pausableRegionName(15)).toBe("Unknown(15)");
    const pausedRegions = { values: [PausableRegion.Disputes], names: ["Disputes"] };
    expect(() => assertRegionOpen(pausedRegions, "withdrawFunds")).not.toThrow();
    expect(() => assertRegionOpen(pausedRegions, "raiseDispute")).toThrow(RegionPausedError);
    expect(() => assertRegionOpen(pausedRegions, "raiseDispute")).toThrow(
      "raiseDispute needs the Disputes region, which is paused",
    );
    const error = new RegionPausedError("raiseDispute", "Disputes");
    expect(isTransient(error)).toBe(true);
    expect(outcomeOfError(error)).toMatchObject({ status: "transient", reason: "region-paused" });
  });
});
