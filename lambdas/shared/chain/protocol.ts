/**
 * The Boson Protocol surface the jobs use (checklist H4, C2, C3).
 *
 * - `protocolAbi`: typed fragments (viem infers argument and result types from
 *   them, so call sites are type-checked) for exactly the functions and events
 *   the jobs call or read. A test asserts each one equal (selector, topic,
 *   indexed flags, output types) to the ABI shipped by the pinned
 *   `@bosonprotocol/common`, so they cannot drift from the release.
 * - `mergedProtocolAbi`: the typed fragments, the pause handler's, and the
 *   official FundsHandler ABI (imported as its JSON file, not through the
 *   package index, which would pull ethers into the Lambda bundle), merged
 *   and deduplicated. Every IBoson*Handler ABI declares the same BosonErrors
 *   (a test checks the FundsHandler's are all of them), so this one file
 *   carries every custom error of the protocol for revert decoding, at a
 *   third of the bundle weight of importing each handler's JSON.
 * - The PauseHandler is not in `@bosonprotocol/common`'s ABIs, so its
 *   `getPausedRegions()` and events are written here from the protocol source
 *   (IBosonPauseHandler, BosonTypes.PausableRegion).
 */
import { pad, parseAbi, toEventSelector, toFunctionSelector, toHex, type Abi, type AbiItem, type Address } from "viem";
import { formatAbiItem } from "viem/utils";
import fundsHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonFundsHandler.json";
import { getExchangeFragment, getOfferFragment, protocolStructs } from "./protocol-fragments";

/** BosonTypes.PausableRegion, in enum order (the uint8 on the wire). */
export const PausableRegion = {
  Offers: 0,
  Twins: 1,
  Bundles: 2,
  Groups: 3,
  Sellers: 4,
  Buyers: 5,
  DisputeResolvers: 6,
  Agents: 7,
  Exchanges: 8,
  Disputes: 9,
  Funds: 10,
  Orchestration: 11,
  MetaTransaction: 12,
  PriceDiscovery: 13,
  SequentialCommit: 14,
} as const;
export type PausableRegionName = keyof typeof PausableRegion;
export type PausableRegionValue = (typeof PausableRegion)[PausableRegionName];

const regionNames = Object.fromEntries(Object.entries(PausableRegion).map(([name, value]) => [value, name])) as Record<
  number,
  PausableRegionName
>;

/** The region's name, or `Unknown(<n>)` for a value added by a later protocol release. */
export function pausableRegionName(value: number): string {
  return regionNames[value] ?? `Unknown(${value})`;
}

/** BosonTypes.ExchangeState. */
export const ExchangeState = { Committed: 0, Revoked: 1, Canceled: 2, Redeemed: 3, Completed: 4, Disputed: 5 } as const;
export type ExchangeStateName = keyof typeof ExchangeState;

/** BosonTypes.DisputeState. */
export const DisputeState = { Resolving: 0, Retracted: 1, Resolved: 2, Escalated: 3, Decided: 4, Refused: 5 } as const;

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
export function mergeAbis(...abis: readonly Abi[]): Abi {
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

/** The region each state-changing call the jobs make needs unpaused (H2). */
export const regionOf = {
  withdrawFunds: PausableRegion.Funds,
  depositFunds: PausableRegion.Funds,
  commitToOffer: PausableRegion.Exchanges,
  redeemVoucher: PausableRegion.Exchanges,
  completeExchange: PausableRegion.Exchanges,
  completeExchangeBatch: PausableRegion.Exchanges,
  expireVoucher: PausableRegion.Exchanges,
  raiseDispute: PausableRegion.Disputes,
  retractDispute: PausableRegion.Disputes,
  resolveDispute: PausableRegion.Disputes,
  escalateDispute: PausableRegion.Disputes,
  decideDispute: PausableRegion.Disputes,
  extendDisputeTimeout: PausableRegion.Disputes,
  // No modifier on expireDispute itself: the finalisation it calls is disputesNotPaused.
  expireDispute: PausableRegion.Disputes,
  expireDisputeBatch: PausableRegion.Disputes,
} as const satisfies Record<string, PausableRegionValue>;
export type StateChangingFunction = keyof typeof regionOf;

/**
 * The EIP-712 message the other party signs for `resolveDispute` (the
 * protocol's DisputeHandlerFacet: `Resolution(uint256 exchangeId,uint256
 * buyerPercent)` under the domain name "Boson Protocol", version "V2",
 * verifyingContract the diamond, salt the chain id).
 */
export function resolutionTypedData(parameters: {
  diamond: Address;
  chainId: number;
  exchangeId: bigint;
  buyerPercent: bigint;
}) {
  return {
    domain: {
      name: "Boson Protocol",
      version: "V2",
      verifyingContract: parameters.diamond,
      salt: pad(toHex(parameters.chainId), { size: 32 }),
    },
    types: {
      Resolution: [
        { name: "exchangeId", type: "uint256" },
        { name: "buyerPercent", type: "uint256" },
      ],
    },
    primaryType: "Resolution",
    message: { exchangeId: parameters.exchangeId, buyerPercent: parameters.buyerPercent },
  } as const;
}
