/**
 * Seller-account takeover watch (checklist M3, S2). The protocol's
 * SellerHandlerFacet emits, for the seller:
 *
 * - `SellerUpdatePending`: the admin asked for a new admin, assistant or auth
 *   token; each applies only when its new owner calls optInToSellerUpdate.
 * - `SellerUpdateApplied`: the seller as it now is (a treasury change applies
 *   at once, in the same updateSeller call) and what is still pending.
 * - `RoyaltyRecipientsChanged`: where the seller's royalties go.
 *
 * A change counts as expected only when it lands on the addresses in the
 * stack's config (the runbook changes the config first); anything else, and
 * any auth token or royalty recipient change, is a high-severity alert.
 * During a key rotation the stack's own pending key is an expected assistant.
 */
import { zeroAddress, type Address } from "viem";

export const sellerAccountEventSignatures = [
  "struct RoyaltyRecipientInfo { address wallet; uint256 minRoyaltyPercentage; }",
  "event SellerUpdatePending(uint256 indexed sellerId, Seller pendingSeller, AuthToken pendingAuthToken, address indexed executedBy)",
  "event SellerUpdateApplied(uint256 indexed sellerId, Seller seller, Seller pendingSeller, AuthToken authToken, AuthToken pendingAuthToken, address indexed executedBy)",
  "event RoyaltyRecipientsChanged(uint256 indexed sellerId, RoyaltyRecipientInfo[] royaltyRecipients, address indexed executedBy)",
] as const;

export const sellerAccountEvents = ["SellerUpdatePending", "SellerUpdateApplied", "RoyaltyRecipientsChanged"] as const;

export type ExpectedSellerAccount = {
  admin: Address;
  assistant: Address;
  treasury: Address;
  /** During a key rotation: the pending key's address, the assistant the rotation moves to. */
  rotationAssistant?: Address;
};

type SellerView = { assistant?: unknown; admin?: unknown; treasury?: unknown };
type AuthTokenView = { tokenType?: unknown; tokenId?: unknown };

const same = (actual: unknown, expected: Address) =>
  typeof actual === "string" && actual.toLowerCase() === expected.toLowerCase();
const isSet = (value: unknown) => typeof value === "string" && value.toLowerCase() !== zeroAddress;
const expectedValue = (actual: unknown, field: "admin" | "assistant" | "treasury", expected: ExpectedSellerAccount) =>
  same(actual, expected[field]) ||
  (field === "assistant" && expected.rotationAssistant !== undefined && same(actual, expected.rotationAssistant));

/** Pending fields: zero means "no change asked"; otherwise the new address must be the configured one. */
function pendingChanges(pending: SellerView, token: AuthTokenView, expected: ExpectedSellerAccount): string[] {
  const changes: string[] = [];
  for (const field of ["admin", "assistant"] as const) {
    if (isSet(pending[field]) && !expectedValue(pending[field], field, expected))
      changes.push(`pending ${field} ${String(pending[field])} is not the configured ${expected[field]}`);
  }
  if (token.tokenType !== undefined && Number(token.tokenType) !== 0)
    changes.push(`pending auth token (type ${String(token.tokenType)}, id ${String(token.tokenId)})`);
  return changes;
}

/** What in one seller-account event the stack did not expect; empty when nothing. */
export function unexpectedSellerChanges(
  eventName: string,
  args: Record<string, unknown>,
  expected: ExpectedSellerAccount,
): string[] {
  if (eventName === "SellerUpdatePending") {
    return pendingChanges(
      (args.pendingSeller ?? {}) as SellerView,
      (args.pendingAuthToken ?? {}) as AuthTokenView,
      expected,
    );
  }
  if (eventName === "SellerUpdateApplied") {
    const seller = (args.seller ?? {}) as SellerView;
    const changes: string[] = [];
    for (const field of ["admin", "assistant", "treasury"] as const) {
      if (!expectedValue(seller[field], field, expected))
        changes.push(`${field} is now ${String(seller[field])}, not the configured ${expected[field]}`);
    }
    const token = (args.authToken ?? {}) as AuthTokenView;
    if (token.tokenType !== undefined && Number(token.tokenType) !== 0)
      changes.push(`auth token is now type ${String(token.tokenType)}, id ${String(token.tokenId)}`);
    return [
      ...changes,
      ...pendingChanges(
        (args.pendingSeller ?? {}) as SellerView,
        (args.pendingAuthToken ?? {}) as AuthTokenView,
        expected,
      ),
    ];
  }
  if (eventName === "RoyaltyRecipientsChanged") {
    const recipients = Array.isArray(args.royaltyRecipients) ? args.royaltyRecipients : [];
    return [
      `royalty recipients changed to ${recipients.map((entry) => String((entry as { wallet?: unknown }).wallet)).join(", ") || "none"}`,
    ];
  }
  return [];
}
