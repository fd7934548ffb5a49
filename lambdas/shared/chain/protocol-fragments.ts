/**
 * Human-readable ABI pieces (BosonTypes structs, the offer and exchange views)
 * that both `protocol.ts` and the watcher parse. They live apart from
 * `protocol.ts` because that module loads the FundsHandler JSON, which the
 * watcher bundle must not carry.
 */

/** BosonTypes structs the typed fragments refer to. */
export const protocolStructs = [
  "struct Funds { address tokenAddress; string tokenName; uint256 availableAmount; }",
  "struct Seller { uint256 id; address assistant; address admin; address clerk; address treasury; bool active; string metadataUri; }",
  "struct AuthToken { uint256 tokenId; uint8 tokenType; }",
  "struct Exchange { uint256 id; uint256 offerId; uint256 buyerId; uint256 finalizedDate; uint8 state; address mutualizerAddress; }",
  "struct Voucher { uint256 committedDate; uint256 validUntilDate; uint256 redeemedDate; bool expired; }",
  "struct Dispute { uint256 exchangeId; uint256 buyerPercent; uint8 state; }",
  "struct DisputeDates { uint256 disputed; uint256 escalated; uint256 finalized; uint256 timeout; }",
  "struct FacetCut { address facetAddress; uint8 action; bytes4[] functionSelectors; }",
  "struct RoyaltyInfo { address[] recipients; uint256[] bps; }",
  "struct Offer { uint256 id; uint256 sellerId; uint256 price; uint256 sellerDeposit; uint256 buyerCancelPenalty; uint256 quantityAvailable; address exchangeToken; uint8 priceType; uint8 creator; string metadataUri; string metadataHash; bool voided; uint256 collectionIndex; RoyaltyInfo[] royaltyInfo; uint256 buyerId; }",
  "struct OfferDates { uint256 validFrom; uint256 validUntil; uint256 voucherRedeemableFrom; uint256 voucherRedeemableUntil; }",
  "struct OfferDurations { uint256 disputePeriod; uint256 voucherValid; uint256 resolutionPeriod; }",
  "struct DisputeResolutionTerms { uint256 disputeResolverId; uint256 escalationResponsePeriod; uint256 feeAmount; uint256 buyerEscalationDeposit; address mutualizerAddress; }",
  "struct OfferFees { uint256 protocolFee; uint256 agentFee; }",
] as const;

/** IBosonOfferHandler.getOffer */
export const getOfferFragment =
  "function getOffer(uint256 _offerId) view returns (bool exists, Offer offer, OfferDates offerDates, OfferDurations offerDurations, DisputeResolutionTerms disputeResolutionTerms, OfferFees offerFees)";
/** IBosonExchangeHandler.getExchange */
export const getExchangeFragment =
  "function getExchange(uint256 _exchangeId) view returns (bool exists, Exchange exchange, Voucher voucher)";
