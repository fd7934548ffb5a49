/**
 * The Boson Protocol ABIs the jobs use (see protocol.ts). Evaluated at build
 * time: the bundles carry these values as JSON, so this module exports data only.
 */
import { parseAbi, toEventSelector, toFunctionSelector, type Abi, type AbiItem } from "viem";
import { formatAbiItem } from "viem/utils";
import fundsHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonFundsHandler.json";
import { getExchangeFragment, getOfferFragment, protocolStructs } from "./protocol-fragments";

/** Typed fragments of the official ABIs the jobs call (asserted equal to @bosonprotocol/common by a test). */
export const protocolAbi = parseAbi([
  ...protocolStructs,
  // FundsHandler
  "function getAvailableFunds(uint256 _entityId, address[] _tokenList) view returns (Funds[] availableFunds)",
  "function withdrawFunds(uint256 _entityId, address[] _tokenList, uint256[] _tokenAmounts)",
  "function depositFunds(uint256 _entityId, address _tokenAddress, uint256 _amount) payable",
  "event FundsDeposited(uint256 indexed entityId, address indexed executedBy, address indexed tokenAddress, uint256 amount)",
  "event FundsEncumbered(uint256 indexed entityId, address indexed exchangeToken, uint256 amount, address indexed executedBy)",
  "event FundsReleased(uint256 indexed exchangeId, uint256 indexed entityId, address indexed exchangeToken, uint256 amount, address executedBy)",
  "event FundsWithdrawn(uint256 indexed sellerId, address indexed withdrawnTo, address indexed tokenAddress, uint256 amount, address executedBy)",
  // AccountHandler
  "function getSeller(uint256 _sellerId) view returns (bool exists, Seller seller, AuthToken authToken)",
  // OfferHandler
  getOfferFragment,
  // ExchangeCommitHandler, ExchangeHandler
  "function commitToOffer(address _buyer, uint256 _offerId) payable",
  "function redeemVoucher(uint256 _exchangeId)",
  "function completeExchange(uint256 _exchangeId)",
  "function completeExchangeBatch(uint256[] _exchangeIds)",
  "function expireVoucher(uint256 _exchangeId)",
  getExchangeFragment,
  "function getExchangeState(uint256 _exchangeId) view returns (bool exists, uint8 state)",
  "function getNextExchangeId() view returns (uint256 nextExchangeId)",
  "event BuyerCommitted(uint256 indexed offerId, uint256 indexed buyerId, uint256 indexed exchangeId, Exchange exchange, Voucher voucher, address executedBy)",
  "event VoucherRedeemed(uint256 indexed offerId, uint256 indexed exchangeId, address indexed executedBy)",
  "event ExchangeCompleted(uint256 indexed offerId, uint256 indexed buyerId, uint256 indexed exchangeId, address executedBy)",
  "event VoucherExpired(uint256 indexed offerId, uint256 indexed exchangeId, address indexed executedBy)",
  // DisputeHandler
  "function raiseDispute(uint256 _exchangeId)",
  "function retractDispute(uint256 _exchangeId)",
  "function resolveDispute(uint256 _exchangeId, uint256 _buyerPercent, bytes _signature)",
  "function escalateDispute(uint256 _exchangeId) payable",
  "function decideDispute(uint256 _exchangeId, uint256 _buyerPercent)",
  "function getDispute(uint256 _exchangeId) view returns (bool exists, Dispute dispute, DisputeDates disputeDates)",
  "function getDisputeTimeout(uint256 _exchangeId) view returns (bool exists, uint256 timeout)",
  "function extendDisputeTimeout(uint256 _exchangeId, uint256 _newDisputeTimeout)",
  "function expireDispute(uint256 _exchangeId)",
  "function expireDisputeBatch(uint256[] _exchangeIds)",
  "event DisputeRaised(uint256 indexed exchangeId, uint256 indexed buyerId, uint256 indexed sellerId, address executedBy)",
  "event DisputeRetracted(uint256 indexed exchangeId, address indexed executedBy)",
  "event DisputeResolved(uint256 indexed exchangeId, uint256 _buyerPercent, address indexed executedBy)",
  "event DisputeEscalated(uint256 indexed exchangeId, uint256 indexed disputeResolverId, address indexed executedBy)",
  "event DisputeDecided(uint256 indexed exchangeId, uint256 _buyerPercent, address indexed executedBy)",
  "event DisputeExpired(uint256 indexed exchangeId, address indexed executedBy)",
  "event DisputeTimeoutExtended(uint256 indexed exchangeId, uint256 newDisputeTimeout, address indexed executedBy)",
  // ProtocolDiamond
  "event DiamondCut(FacetCut[] _diamondCut, address _init, bytes _calldata)",
]);

/** IBosonPauseHandler (from the protocol source; not shipped in @bosonprotocol/common). */
export const pauseHandlerAbi = parseAbi([
  "function getPausedRegions() view returns (uint8[] regions)",
  "event ProtocolPaused(uint8[] regions, address executedBy)",
  "event ProtocolUnpaused(uint8[] regions, address executedBy)",
  "error RegionPaused(uint8 region)",
  "error NotPaused()",
]);

/** The official FundsHandler ABI as shipped by the pinned @bosonprotocol/common (all BosonErrors included). */
export const fundsHandlerAbi = fundsHandlerJson as unknown as Abi;

function itemKey(item: AbiItem): string | undefined {
  switch (item.type) {
    case "function":
      return `function ${toFunctionSelector(formatAbiItem(item))}`;
    case "event":
      return `event ${toEventSelector(formatAbiItem(item))}`;
    case "error":
      return `error ${toFunctionSelector(formatAbiItem(item).replace(/^error /, "function "))}`;
    default:
      return undefined; // constructor, fallback, receive: not callable by name
  }
}

/** Merges ABIs, keeping the first item per selector (functions, errors) or topic (events). */
function mergeAbis(...abis: readonly Abi[]): Abi {
  const seen = new Set<string>();
  const merged: AbiItem[] = [];
  for (const abi of abis) {
    for (const item of abi) {
      const key = itemKey(item);
      if (key === undefined || seen.has(key)) continue;
      seen.add(key);
      merged.push(item);
    }
  }
  return merged;
}

/**
 * Every function, event and custom error the protocol's handlers declare
 * (official ABIs plus the pause handler): the ABI reverts are decoded against (C2).
 */
export const mergedProtocolAbi: Abi = mergeAbis(protocolAbi, pauseHandlerAbi, fundsHandlerAbi);
