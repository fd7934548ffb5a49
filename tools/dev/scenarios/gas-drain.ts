import type { Scenario } from "../scenario";

export const gasDrain: Scenario = {
  name: "gas-drain",
  summary: "the signer's gas drains below each ratio of the daily burn in turn: warning, high, critical, in that order",
  async run({ world, act, check }) {
    const burn = BigInt(world.stack.config.gas.expectedDailyBurnWei);
    const ratios = world.stack.config.gas.alertRatios;
    await world.runDue();
    const mark = check.mark();
    const severities = ["warning", "high", "critical"] as const;
    const lines: number[] = [];
    for (const [index, ratio] of ratios.entries()) {
      // 90% of this ratio's threshold: clearly under it (EMF values are doubles), still above the next ratio.
      await act.setSignerBalance((burn * BigInt(Math.round(ratio * 900))) / 1000n);
      await world.advance(300);
      lines.push(check.saw(new RegExp(`^ALARM alerts-gas-balance-${severities[index]}$`), mark));
      if (index + 1 < severities.length)
        check.didNotSee(new RegExp(`^ALARM alerts-gas-balance-${severities[index + 1]}$`), mark);
    }
    check.that(
      lines[0]! < lines[1]! && lines[1]! < lines[2]!,
      "the three gas alarms fire in order warning, high, critical",
    ); // three entries pushed above
  },
};
