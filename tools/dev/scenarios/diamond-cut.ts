import type { Scenario } from "../scenario";

export const diamondCut: Scenario = {
  name: "diamond-cut",
  summary: "the protocol diamond is upgraded (DiamondCut): the watcher sees it and the upgrade alarm pages",
  async run({ world, act, check }) {
    await world.runDue();
    await act.diamondCut();
    await act.mine(2);
    const mark = check.mark();
    await world.advance(60);
    check.saw(/watcher +succeeded .*upgrades=1/, mark);
    check.saw(/^ALARM alerts-diamond-cut$/, mark);
  },
};
