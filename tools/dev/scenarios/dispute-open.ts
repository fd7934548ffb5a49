import type { Scenario } from "../scenario";

export const disputeOpen: Scenario = {
  name: "dispute-open",
  summary:
    "a buyer raises a dispute and nobody answers it: the dispute alarm at once, the one-day alarm after a day's jump",
  async run({ world, act, check }) {
    await world.runDue();
    const exchangeId = await act.commit();
    await act.redeem(exchangeId);
    await act.raiseDispute(exchangeId);
    await act.mine(2);
    const mark = check.mark();
    await world.advance(60);
    check.saw(/watcher +succeeded .*disputesRaised=1/, mark);
    check.saw(/^ALARM alerts-dispute-raised$/, mark);
    check.didNotSee(/^ALARM alerts-dispute-open-over-one-day$/);
    const beforeJump = check.mark();
    await world.advance(86_400 + 60);
    check.saw(/^ALARM alerts-dispute-open-over-one-day$/, beforeJump);
  },
};
