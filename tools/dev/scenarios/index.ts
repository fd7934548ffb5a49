import type { Scenario } from "../scenario";
import { buyerJourney } from "./buyer-journey";
import { diamondCut } from "./diamond-cut";
import { disputeOpen } from "./dispute-open";
import { fundsPaused } from "./funds-paused";
import { gasDrain } from "./gas-drain";
import { relayerDown } from "./relayer-down";
import { stuckTransaction } from "./stuck-transaction";
import { subgraphLag } from "./subgraph-lag";
import { webhookDown } from "./webhook-down";

/** Every scenario `npm run dev -- --scenario <name>|all` knows, in the order `all` runs them. */
export const scenarios: readonly Scenario[] = [
  buyerJourney,
  disputeOpen,
  fundsPaused,
  diamondCut,
  gasDrain,
  subgraphLag,
  webhookDown,
  relayerDown,
  stuckTransaction,
];
