/**
 * The money rules without I/O: what an offer needs from the seller's funds
 * (ExchangeCommitBase: seller deposit, plus the DR fee when no mutualizer
 * pays it), when an exchange's escrow is due, which dispute lead times are
 * crossed, and which seller-account events the config did not expect.
 */
import { describe, expect, it } from "vitest";
import { zeroAddress, type Address } from "viem";
import { ExchangeState, DisputeState } from "../../lambdas/shared/chain/protocol";
import { decideRelease, type ExchangeFacts } from "../../lambdas/withdraw/escrow/due";
import { offerNeed, tokenReserve } from "../../lambdas/withdraw/reserve";
import { crossedLeads } from "../../lambdas/watcher/dispute-deadlines";
import { unexpectedSellerChanges } from "../../lambdas/watcher/seller-account";
import { isRotationGap } from "../../lambdas/withdraw/seller-guard";

const token: Address = "0x00000000000000000000000000000000000000f0";
const mutualizer: Address = "0x00000000000000000000000000000000000000aa";
const offer = (overrides: Partial<Parameters<typeof offerNeed>[1]["offer"]> = {}) => ({
  exists: true,
  offer: {
    sellerId: 7n,
    sellerDeposit: 5n,
    quantityAvailable: 3n,
    exchangeToken: token,
    creator: 0,
    voided: false,
    ...overrides,
  },
  validUntil: 1_000n,
  terms: { feeAmount: 2n, mutualizerAddress: zeroAddress as Address },
});

describe("reserve per offer (M1)", () => {
  it("counts the seller deposit and a self-funded DR fee for each unit left", () => {
    expect(offerNeed("1", offer(), 7n, 500n).needWei).toBe(3n * (5n + 2n));
  });
  it("leaves out a DR fee a mutualizer pays", () => {
    expect(
      offerNeed("1", { ...offer(), terms: { feeAmount: 2n, mutualizerAddress: mutualizer } }, 7n, 500n).needWei,
    ).toBe(15n);
  });
  it("needs nothing for voided, sold-out, expired, buyer-created or another seller's offers", () => {
    expect(offerNeed("1", offer({ voided: true }), 7n, 500n).needWei).toBe(0n);
    expect(offerNeed("1", offer({ quantityAvailable: 0n }), 7n, 500n).needWei).toBe(0n);
    expect(offerNeed("1", offer(), 7n, 1_000n).needWei).toBe(0n);
    expect(offerNeed("1", offer({ creator: 1 }), 7n, 500n).needWei).toBe(0n);
    expect(offerNeed("1", offer(), 8n, 500n).needWei).toBe(0n);
  });
  it("withdraws only above reserve + margin, and flags a shortfall", () => {
    expect(tokenReserve({ address: token, symbol: "T", reserveMarginWei: 10n }, 100n, 21n)).toMatchObject({
      reserveWei: "31",
      excessWei: "69",
      short: false,
    });
    expect(tokenReserve({ address: token, symbol: "T", reserveMarginWei: 10n }, 30n, 21n)).toMatchObject({
      excessWei: "0",
      short: true,
    });
  });
});

describe("escrow due (M1)", () => {
  const facts = (overrides: Partial<ExchangeFacts>): ExchangeFacts => ({
    exists: true,
    state: ExchangeState.Redeemed,
    redeemedDate: 100n,
    validUntilDate: 500n,
    disputePeriod: 50n,
    ...overrides,
  });
  it("completes once the dispute period has passed (>=), not before", () => {
    expect(decideRelease("complete", 1n, facts({}), 150n).decision).toBe("due");
    expect(decideRelease("complete", 1n, facts({}), 149n)).toMatchObject({
      decision: "skip",
      reason: "not-yet-due",
      dueAt: 150n,
    });
  });
  it("expires a resolving dispute only after its timeout (>), and leaves an escalated one to the resolver", () => {
    const disputed = (state: number) => facts({ state: ExchangeState.Disputed, dispute: { state, timeout: 200n } });
    expect(decideRelease("expireDispute", 1n, disputed(DisputeState.Resolving), 200n)).toMatchObject({
      reason: "not-yet-due",
    });
    expect(decideRelease("expireDispute", 1n, disputed(DisputeState.Resolving), 201n).decision).toBe("due");
    expect(decideRelease("expireDispute", 1n, disputed(DisputeState.Escalated), 900n)).toMatchObject({
      reason: "escalated",
    });
    expect(decideRelease("expireDispute", 1n, disputed(DisputeState.Retracted), 900n)).toMatchObject({
      reason: "already-final",
    });
  });
  it("expires a committed voucher only after its validity, and never one already redeemed", () => {
    expect(decideRelease("expireVoucher", 1n, facts({ state: ExchangeState.Committed }), 501n).decision).toBe("due");
    expect(decideRelease("expireVoucher", 1n, facts({ state: ExchangeState.Committed }), 500n)).toMatchObject({
      reason: "not-yet-due",
    });
    expect(decideRelease("expireVoucher", 1n, facts({ state: ExchangeState.Redeemed }), 900n)).toMatchObject({
      reason: "already-final",
    });
    expect(decideRelease("complete", 1n, facts({ exists: false }), 900n)).toMatchObject({ reason: "not-found" });
  });
});

describe("dispute lead times (B3)", () => {
  it("names every lead time crossed, tightest first, and none once the deadline passed", () => {
    expect(crossedLeads(49n * 3600n, [48, 12])).toEqual([]);
    expect(crossedLeads(47n * 3600n, [48, 12])).toEqual([48]);
    expect(crossedLeads(10n * 3600n, [48, 12])).toEqual([12, 48]);
    expect(crossedLeads(0n, [48, 12])).toEqual([]);
  });
});

describe("seller-account events (M3)", () => {
  const expected = {
    admin: "0x00000000000000000000000000000000000000a1",
    assistant: "0x00000000000000000000000000000000000000a2",
    treasury: "0x00000000000000000000000000000000000000a3",
  } as const;
  const seller = { admin: expected.admin, assistant: expected.assistant, treasury: expected.treasury };
  it("accepts an update that lands on the configured addresses", () => {
    expect(
      unexpectedSellerChanges(
        "SellerUpdateApplied",
        {
          seller,
          pendingSeller: { admin: zeroAddress, assistant: zeroAddress },
          authToken: { tokenType: 0, tokenId: 0n },
        },
        expected,
      ),
    ).toEqual([]);
    expect(
      unexpectedSellerChanges(
        "SellerUpdatePending",
        {
          pendingSeller: { admin: zeroAddress, assistant: expected.assistant.toUpperCase().replace("0X", "0x") },
          pendingAuthToken: { tokenType: 0 },
        },
        expected,
      ),
    ).toEqual([]);
  });
  it("accepts the stack's pending rotation key as the assistant, and only as the assistant", () => {
    const rotationAssistant = "0x00000000000000000000000000000000000000b2" as const;
    const duringRotation = { ...expected, rotationAssistant };
    const pending = (assistant: string, admin: string = zeroAddress) =>
      unexpectedSellerChanges(
        "SellerUpdatePending",
        { pendingSeller: { admin, assistant }, pendingAuthToken: { tokenType: 0 } },
        duringRotation,
      );
    const applied = (assistant: string) =>
      unexpectedSellerChanges(
        "SellerUpdateApplied",
        { seller: { ...seller, assistant }, pendingSeller: {}, authToken: { tokenType: 0 } },
        duringRotation,
      );
    expect(pending(rotationAssistant)).toEqual([]);
    expect(applied(rotationAssistant)).toEqual([]);
    expect(pending(mutualizer)).toHaveLength(1);
    expect(applied(mutualizer)).toHaveLength(1);
    expect(pending(zeroAddress, rotationAssistant)).toHaveLength(1);
    // Outside a rotation the same update pages.
    expect(
      unexpectedSellerChanges(
        "SellerUpdateApplied",
        { seller: { ...seller, assistant: rotationAssistant }, pendingSeller: {}, authToken: { tokenType: 0 } },
        expected,
      ),
    ).toHaveLength(1);
  });
  it("the withdraw job's rotation gap: only the assistant differs, and it is the stack's pending key", () => {
    const pendingKey = "0x00000000000000000000000000000000000000b2" as const;
    const assistantIs = (actual: string) => ({ field: "assistant" as const, expected: expected.assistant, actual });
    expect(isRotationGap([assistantIs(pendingKey)], pendingKey)).toBe(true);
    expect(isRotationGap([assistantIs(mutualizer)], pendingKey)).toBe(false);
    expect(isRotationGap([assistantIs(pendingKey)], undefined)).toBe(false);
    expect(
      isRotationGap(
        [assistantIs(pendingKey), { field: "treasury", expected: expected.treasury, actual: mutualizer }],
        pendingKey,
      ),
    ).toBe(false);
  });
  it("flags a pending auth token, an applied treasury elsewhere, and any royalty recipient change", () => {
    expect(
      unexpectedSellerChanges(
        "SellerUpdatePending",
        { pendingSeller: {}, pendingAuthToken: { tokenType: 1, tokenId: 9n } },
        expected,
      ),
    ).toEqual(["pending auth token (type 1, id 9)"]);
    expect(
      unexpectedSellerChanges(
        "SellerUpdateApplied",
        { seller: { ...seller, treasury: mutualizer }, pendingSeller: {}, authToken: { tokenType: 0 } },
        expected,
      ),
    ).toHaveLength(1);
    expect(
      unexpectedSellerChanges(
        "RoyaltyRecipientsChanged",
        { royaltyRecipients: [{ wallet: mutualizer, minRoyaltyPercentage: 0n }] },
        expected,
      ),
    ).toEqual([`royalty recipients changed to ${mutualizer}`]);
  });
});
