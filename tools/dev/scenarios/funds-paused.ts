import { parseEther } from "viem";
import { depositFunds } from "../../../test/harness/protocol-fixture";
import type { Scenario } from "../scenario";
import { pausableRegion } from "../world-actions";

export const fundsPaused: Scenario = {
  name: "funds-paused",
  summary:
    "the protocol's Funds region is paused with funds above the threshold: the withdrawal is transient, the paused alarm pages, no error alarm does",
  async run({ world, act, check }) {
    const { fixture, seller } = world.peers;
    await depositFunds(fixture, seller.id, "0x0000000000000000000000000000000000000000", parseEther("0.02"));
    await act.pause([pausableRegion.funds], true);
    await world.runDue();
    check.saw(/withdraw +transient reason=region-paused/);
    check.saw(/^ALARM alerts-protocol-paused$/);
    check.didNotSee(/^ALARM alerts-withdraw-(failed-runs|errors)$/);
    await act.pause([pausableRegion.funds], false);
    const mark = check.mark();
    await world.advance(3600);
    check.saw(/withdraw +succeeded reason=withdrawn .*txHash=0x[0-9a-f]{64}/, mark);
    check.saw(/^OK alerts-protocol-paused$/, mark);
  },
};
