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
 *
 * The ABIs live in protocol.abi.ts: the bundles carry them already parsed
 * (infra/build/build-time-data.ts).
 */
import { pad, toHex, type Address } from "viem";
export { fundsHandlerAbi, mergedProtocolAbi, pauseHandlerAbi, protocolAbi } from "./protocol.abi";

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
