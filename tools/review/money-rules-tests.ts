import type { MappedTest } from "./test-map";

/**
 * Tests of the money rules (escrow release, reserve, takeover watch, dispute
 * deadlines, storefront CSP) that prove checklist items without naming them
 * in their titles: M1 (withdrawals that keep sales funded), M3 (seller
 * account custody), B3 (disputes), S6 (the storefront CSP).
 */
export const moneyRuleTests: readonly MappedTest[] = [
  { id: "M1", file: "test/lambdas/withdraw-escrow.test.ts", title: /completes the exchanges past their dispute period in batches/ },
  { id: "M1", file: "test/lambdas/withdraw-escrow.test.ts", title: /expires a dispute past its timeout and a voucher past its validity/ },
  { id: "M1", file: "test/lambdas/withdraw-escrow.test.ts", title: /sends no release while the Exchanges region is paused/ },
  { id: "M1", file: "test/lambdas/withdraw-escrow.test.ts", title: /withdraws only the excess, so buyers' commits keep drawing the seller deposit/ },
  { id: "M3", file: "test/lambdas/withdraw-escrow.test.ts", title: /refuses the withdrawal and pages when the admin changed the treasury/ },
  { id: "M3", file: "test/lambdas/watcher-account-deadlines.test.ts", title: /pages once for a pending assistant and an applied treasury/ },
  { id: "B3", file: "test/lambdas/watcher-account-deadlines.test.ts", title: /pages once when a dispute is 12 hours from its timeout/ },
  { id: "S6", file: "test/infra/storefront-csp-browser.test.ts", title: /loads the widget loader, its style element, the widgets' stylesheet and frame/ },
];
