import { parseEther } from "viem";
import { depositFunds } from "../../../test/harness/protocol-fixture";
import type { Scenario } from "../scenario";

export const relayerDown: Scenario = {
  name: "relayer-down",
  summary:
    "the meta-transaction relayer is down: the withdrawal falls back to executeMetaTransaction from the assistant and still lands",
  async run({ world, act, check }) {
    const { fixture, seller, relayer } = world.peers;
    await world.runDue();
    relayer.mode = "down";
    await depositFunds(fixture, seller.id, "0x0000000000000000000000000000000000000000", parseEther("0.02"));
    await act.mine(1);
    const mark = check.mark();
    await world.advance(3600);
    check.saw(
      /withdraw +succeeded reason=withdrawn .*txHash=0x[0-9a-f]{64}.*path=direct fallbackReason=relayer-down/,
      mark,
    );
    check.that(relayer.relayed() === 0, "nothing went through the relayer while it was down");
    check.didNotSee(/^ALARM alerts-withdraw-(failed-runs|errors)$/);
  },
};
