import type { Scenario } from "../scenario";

export const subgraphLag: Scenario = {
  name: "subgraph-lag",
  summary: "the subgraph falls 30 blocks behind the chain: the lag alarm after its evaluation periods",
  async run({ world, act, check }) {
    await world.runDue();
    world.peers.subgraph.setLag(30);
    await act.mine(31);
    const mark = check.mark();
    const periods = world.stack.alarms.find((alarm) => alarm.name === "alerts-subgraph-lag")?.evaluationPeriods ?? 1;
    for (let period = 0; period < periods; period++) await world.advance(300);
    check.saw(/health +succeeded .*subgraphLagBlocks=3\d/, mark);
    check.saw(/^ALARM alerts-subgraph-lag$/, mark);
    world.peers.subgraph.setLag(0);
    await world.advance(300);
    check.saw(/^OK alerts-subgraph-lag$/, mark);
  },
};
