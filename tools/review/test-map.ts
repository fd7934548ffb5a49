import type { ChecklistId } from "../../infra/policy/checklist";
import { moneyRuleTests } from "./money-rules-tests";

/**
 * Tests that prove a checklist item without naming it in their title. The
 * review matches these titles in the named files; if a test is renamed or
 * removed, its evidence disappears and the item fails, so this list can
 * only under-claim. Prefer naming the id in the test's title instead
 * (`describe("withdraw job (M1, O1)")`), which needs no entry here.
 */
export interface MappedTest {
  readonly id: ChecklistId;
  readonly file: string;
  readonly title: RegExp;
}

export const mappedTests: readonly MappedTest[] = [
  { id: "S1", file: "test/lambdas/kms-account.test.ts", title: /derives the address of the key material KMS holds/ },
  { id: "S1", file: "test/lambdas/kms-anvil.test.ts", title: /EIP-1559 transactions/ },
  { id: "M1", file: "test/lambdas/withdraw.test.ts", title: /withdraws every token at or above its threshold/ },
  { id: "O1", file: "test/lambdas/withdraw.test.ts", title: /exactly one transaction for two concurrent invocations/ },
  { id: "O1", file: "test/lambdas/event-store.test.ts", title: /stores an event once per txHash#logIndex/ },
  { id: "H2", file: "test/lambdas/withdraw.test.ts", title: /while the Funds region is paused/ },
  { id: "O3", file: "test/lambdas/withdraw.test.ts", title: /reorg deeper than 1 and shallower than the confirmations/ },
  { id: "O3", file: "test/lambdas/watcher.test.ts", title: /reorg shallower than the confirmations/ },
  { id: "H3", file: "test/lambdas/watcher.test.ts", title: /alerts on a DiamondCut/ },
  { id: "O5", file: "test/lambdas/event-store.test.ts", title: /stores an event once per txHash#logIndex/ },
  { id: "O5", file: "test/lambdas/watcher.test.ts", title: /sends one webhook when the same events are seen twice/ },
  { id: "B3", file: "test/lambdas/watcher.test.ts", title: /alerts on a dispute, and again when it has been open for more than a day/ },
  { id: "B1", file: "test/lambdas/shipper.test.ts", title: /CloudWatch Logs subscription -> Cloud Logging/ },
  { id: "H4", file: "test/lambdas/protocol.test.ts", title: /protocol surface matches the pinned @bosonprotocol\/common ABIs/ },
  { id: "M1", file: "test/lambdas/bundles.test.ts", title: /withdraw runs from its bundle/ },
  { id: "H2", file: "test/lambdas/health.test.ts", title: /reports paused regions by name and count/ },
  { id: "H2", file: "test/lambdas/smoke.test.ts", title: /as transient while the Disputes region is paused/ },
  { id: "H5", file: "test/lambdas/health.test.ts", title: /gas ratio against the expected daily burn and the drain thresholds/ },
  { id: "O6", file: "test/lambdas/health.test.ts", title: /measures a subgraph 30 blocks behind as lag 30/ },
  { id: "B2", file: "test/lambdas/health.test.ts", title: /reports lag, gas, paused regions, business metrics/ },
  { id: "O3", file: "test/lambdas/finality.test.ts", title: /waits for the confirmation depth before calling a transaction final/ },
  { id: "O2", file: "test/lambdas/smoke.test.ts", title: /waiting for the subgraph after each write/ },
  { id: "O4", file: "test/lambdas/relayer.test.ts", title: /falls back to a direct transaction when the relayer fails/ },
  { id: "O4", file: "test/lambdas/relayer.test.ts", title: /rate-limits relayer calls with the token bucket/ },
  { id: "C2", file: "test/lambdas/revert.test.ts", title: /decodes a custom error with arguments from a failed simulation/ },
  { id: "C2", file: "test/lambdas/revert.test.ts", title: /decodes a mined transaction's revert/ },
  { id: "C2", file: "test/lambdas/smoke.test.ts", title: /fails the step with the decoded custom error/ },
  { id: "M2", file: "test/lambdas/smoke.test.ts", title: /runs both exchanges through the state machine, dispute path included/ },
  { id: "C4", file: "test/lambdas/smoke.test.ts", title: /runs both exchanges through the state machine, dispute path included/ },
  { id: "C4", file: "test/lambdas/bundles.test.ts", title: /smoke runs from its bundle/ },
  ...moneyRuleTests,
];
