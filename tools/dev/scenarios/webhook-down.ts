import type { Scenario } from "../scenario";
import { redeliverDeadLetters } from "../redelivery";

export const webhookDown: Scenario = {
  name: "webhook-down",
  summary:
    "the fulfillment endpoint is down: retries, then a dead letter and its alarm; once it is back, the dead letter is redelivered with its original id",
  async run({ world, act, check }) {
    await world.runDue();
    world.peers.receiver.failWith(503);
    await act.commit();
    await act.mine(2);
    const mark = check.mark();
    await world.advance(60);
    check.saw(/watcher +succeeded .*deadLettered=1/, mark);
    check.saw(/^ALARM alerts-webhook-dead-lettered$/, mark);
    const failedCalls = world.peers.receiver.calls.filter((call) => call.status >= 500);
    check.that(failedCalls.length > 1, `the watcher retried the delivery (${failedCalls.length} attempts)`);
    world.peers.receiver.succeed();
    const replay = await redeliverDeadLetters(world);
    check.that(
      replay.delivered.length === 1 && replay.stillDead.length === 0,
      `the dead letter was redelivered (${JSON.stringify(replay)})`,
    );
    const delivered = world.peers.receiver.delivered();
    check.that(
      delivered.length === 1 && delivered[0]?.id === failedCalls[0]?.id,
      "the redelivery carries the original webhook-id",
    );
  },
};
