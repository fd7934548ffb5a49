import type { Scenario } from "../scenario";
import { buyerJourney } from "./buyer-journey";

/** Every scenario `npm run dev -- --scenario <name>|all` knows, in the order `all` runs them. */
export const scenarios: readonly Scenario[] = [buyerJourney];
