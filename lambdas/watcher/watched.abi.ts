/**
 * The events the watcher reads and the views it calls (see events.ts and
 * dispute-deadlines.ts). Evaluated at build time: the bundle carries these
 * values as JSON, so this module exports data only.
 */
import { parseAbi, toEventSelector, type Hex } from "viem";
import { getExchangeFragment, getOfferFragment, protocolStructs } from "../shared/chain/protocol-fragments";
import { sellerAccountEventSignatures } from "./seller-account";

/** The watched events, as in the official ABIs (ProtocolDiamond, IBosonExchangeHandler, IBosonDisputeHandler, IBosonOfferHandler, IBosonAccountHandler). */
export const watchedEventsAbi = parseAbi([
  ...protocolStructs,
  ...sellerAccountEventSignatures,
  // Upgrades (H3)
  "event DiamondCut(FacetCut[] _diamondCut, address _init, bytes _calldata)",
  "event ProtocolInitialized(string version)",
  // Exchanges
  "event BuyerCommitted(uint256 indexed offerId, uint256 indexed buyerId, uint256 indexed exchangeId, Exchange exchange, Voucher voucher, address executedBy)",
  "event SellerCommitted(uint256 indexed offerId, uint256 indexed sellerId, uint256 indexed exchangeId, Exchange exchange, Voucher voucher, address executedBy)",
  "event VoucherRedeemed(uint256 indexed offerId, uint256 indexed exchangeId, address indexed executedBy)",
  "event VoucherCanceled(uint256 indexed offerId, uint256 indexed exchangeId, address indexed executedBy)",
  "event VoucherRevoked(uint256 indexed offerId, uint256 indexed exchangeId, address indexed executedBy)",
  "event VoucherExpired(uint256 indexed offerId, uint256 indexed exchangeId, address indexed executedBy)",
  "event VoucherExtended(uint256 indexed offerId, uint256 indexed exchangeId, uint256 validUntil, address indexed executedBy)",
  "event VoucherTransferred(uint256 indexed offerId, uint256 indexed exchangeId, uint256 indexed newBuyerId, address executedBy)",
  "event ExchangeCompleted(uint256 indexed offerId, uint256 indexed buyerId, uint256 indexed exchangeId, address executedBy)",
  // Disputes (B3)
  "event DisputeRaised(uint256 indexed exchangeId, uint256 indexed buyerId, uint256 indexed sellerId, address executedBy)",
  "event DisputeEscalated(uint256 indexed exchangeId, uint256 indexed disputeResolverId, address indexed executedBy)",
  "event DisputeRetracted(uint256 indexed exchangeId, address indexed executedBy)",
  "event DisputeResolved(uint256 indexed exchangeId, uint256 _buyerPercent, address indexed executedBy)",
  "event DisputeDecided(uint256 indexed exchangeId, uint256 _buyerPercent, address indexed executedBy)",
  "event DisputeExpired(uint256 indexed exchangeId, address indexed executedBy)",
  "event EscalatedDisputeExpired(uint256 indexed exchangeId, address indexed executedBy)",
  "event EscalatedDisputeRefused(uint256 indexed exchangeId, address indexed executedBy)",
  // Fees (M4)
  "event ProtocolFeeCollected(uint256 indexed exchangeId, address indexed exchangeToken, uint256 amount, address indexed executedBy)",
  "event DRFeeRequested(uint256 indexed exchangeId, address indexed tokenAddress, uint256 feeAmount, address indexed mutualizerAddress, address executedBy)",
  // Offers: how the watcher learns which offers (and so exchanges) are the seller's
  "event OfferCreated(uint256 indexed offerId, uint256 indexed sellerId, Offer offer, OfferDates offerDates, OfferDurations offerDurations, DisputeResolutionTerms disputeResolutionTerms, OfferFees offerFees, uint256 indexed agentId, address executedBy)",
]);

/** The two reads the watcher needs for offers and exchanges it did not see created (IBosonOfferHandler, IBosonExchangeHandler). */
export const getOfferAbi = parseAbi([...protocolStructs, getOfferFragment]);
export const getExchangeAbi = parseAbi([...protocolStructs, getExchangeFragment]);

/** topic0 of every watched event: one `eth_getLogs` per range filters on all of them at once. */
export const watchedTopics: readonly Hex[] = watchedEventsAbi.map((event) => toEventSelector(event));

/** The two DisputeHandler views the dispute deadlines read (official signatures, see protocol.test). */
export const disputeViewsAbi = parseAbi([
  ...protocolStructs,
  "function getDispute(uint256 _exchangeId) view returns (bool exists, Dispute dispute, DisputeDates disputeDates)",
  "function getDisputeTimeout(uint256 _exchangeId) view returns (bool exists, uint256 timeout)",
]);
