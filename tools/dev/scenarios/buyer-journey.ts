import type { Scenario } from "../scenario";

export const buyerJourney: Scenario = {
  name: "buyer-journey",
  summary:
    "a buyer commits, redeems and completes: a verified webhook for each, then the withdrawal once funds reach the threshold",
  async run({ world, act, check }) {
    await world.runDue();
    check.saw(/withdraw +succeeded reason=below-threshold/);
    const exchangeId = await act.commit();
    await act.redeem(exchangeId);
    await act.complete(exchangeId);
    await act.mine(2);
    const mark = check.mark();
    await world.advance(60);
    check.saw(/watcher +succeeded .*delivered=3/, mark);
    const types = world.peers.receiver.delivered().map((call) => call.payload?.type);
    check.that(
      world.peers.receiver.calls.every((call) => call.verified),
      "every webhook delivery verifies with the standardwebhooks library",
    );
    for (const event of ["committed", "redeemed", "completed"])
      check.that(
        types.some((type) => type?.toLowerCase().includes(event) === true),
        `a webhook for the exchange being ${event} (got ${types.join(", ")})`,
      );
    await world.advance(3600);
    check.saw(/withdraw +succeeded reason=withdrawn .*txHash=0x[0-9a-f]{64}.*path=relayer/, mark);
    check.didNotSee(/^ALARM /);
  },
};
