/**
 * Boson meta-transactions (checklist O4): the EIP-712 typed data the
 * protocol's MetaTransactionsHandlerFacet checks for a call, and the
 * `executeMetaTransaction` arguments that carry it. The protocol has
 * specific structs for its common calls (funds, commit, exchange, dispute
 * resolution) and a generic `MetaTransaction` for the rest; the domain is the
 * protocol's (name "Boson Protocol", version "V2", the diamond, the chain id
 * as salt). A test proves these equal what @bosonprotocol/core-sdk builds.
 */
import { encodeFunctionData, hexToBigInt, keccak256, parseAbi, toHex, type Address, type Hex } from "viem";
import { formatAbiItem } from "viem/utils";
import { mergedProtocolAbi, resolutionTypedData, type StateChangingFunction } from "./protocol";

export type MetaTransactionCall = { functionName: StateChangingFunction; args: readonly unknown[] };

/** What the user signs over and the relayer (or the assistant) submits. */
export type MetaTransaction = {
  from: Address;
  nonce: bigint;
  /** The protocol's name for the function: its canonical signature, e.g. `redeemVoucher(uint256)`. */
  functionName: string;
  /** The call's calldata (the protocol calls it the function signature). */
  functionSignature: Hex;
};

export type SignedMetaTransaction = MetaTransaction & { signature: Hex };

/** IBosonMetaTransactionsHandler's entry point and nonce read (asserted equal to the official ABI by a test). */
export const metaTransactionsAbi = parseAbi([
  "function executeMetaTransaction(address _userAddress, string _functionName, bytes _functionSignature, uint256 _nonce, bytes _signature) payable returns (bytes)",
  "function isUsedNonce(address _associatedAddress, uint256 _nonce) view returns (bool)",
  "event MetaTransactionExecuted(address indexed userAddress, address indexed relayerAddress, string indexed functionName, uint256 nonce)",
]);

const header = [
  { name: "nonce", type: "uint256" },
  { name: "from", type: "address" },
  { name: "contractAddress", type: "address" },
  { name: "functionName", type: "string" },
] as const;

type Field = { name: string; type: string };
type Special = {
  primaryType: string;
  detailsField: string;
  detailsType: string;
  detailsFields: readonly Field[];
  details(args: readonly unknown[]): Record<string, unknown>;
};

const exchange: Special = {
  primaryType: "MetaTxExchange",
  detailsField: "exchangeDetails",
  detailsType: "MetaTxExchangeDetails",
  detailsFields: [{ name: "exchangeId", type: "uint256" }],
  details: ([exchangeId]) => ({ exchangeId }),
};

/** The protocol's special meta-transaction structs, by function (its MetaTxInputType table). */
const special: Partial<Record<StateChangingFunction, Special>> = {
  withdrawFunds: {
    primaryType: "MetaTxFund",
    detailsField: "fundDetails",
    detailsType: "MetaTxFundDetails",
    detailsFields: [
      { name: "entityId", type: "uint256" },
      { name: "tokenList", type: "address[]" },
      { name: "tokenAmounts", type: "uint256[]" },
    ],
    details: ([entityId, tokenList, tokenAmounts]) => ({ entityId, tokenList, tokenAmounts }),
  },
  commitToOffer: {
    primaryType: "MetaTxCommitToOffer",
    detailsField: "offerDetails",
    detailsType: "MetaTxOfferDetails",
    detailsFields: [
      { name: "buyer", type: "address" },
      { name: "offerId", type: "uint256" },
    ],
    details: ([buyer, offerId]) => ({ buyer, offerId }),
  },
  redeemVoucher: exchange,
  completeExchange: exchange,
  raiseDispute: exchange,
  retractDispute: exchange,
  escalateDispute: exchange,
  resolveDispute: {
    primaryType: "MetaTxDisputeResolution",
    detailsField: "disputeResolutionDetails",
    detailsType: "MetaTxDisputeResolutionDetails",
    detailsFields: [
      { name: "exchangeId", type: "uint256" },
      { name: "buyerPercentBasisPoints", type: "uint256" },
      { name: "signature", type: "bytes" },
    ],
    details: ([exchangeId, buyerPercentBasisPoints, signature]) => ({ exchangeId, buyerPercentBasisPoints, signature }),
  },
};

/** The protocol's function name: the canonical signature of the ABI function. */
export function protocolFunctionName(functionName: StateChangingFunction): string {
  const item = mergedProtocolAbi.find((entry) => entry.type === "function" && entry.name === functionName);
  if (!item) throw new Error(`${functionName} is not in the protocol ABI`);
  return formatAbiItem(item);
}

/**
 * A meta-transaction nonce derived from the write's idempotency key: a run
 * that resumes the same write signs the same nonce, so the protocol executes
 * it at most once whichever of the relayer or the assistant lands first.
 */
export function metaTransactionNonce(idempotencyKey: string): bigint {
  return hexToBigInt(keccak256(toHex(`boson-kit meta-transaction:${idempotencyKey}`)));
}

export function buildMetaTransaction(parameters: {
  from: Address;
  nonce: bigint;
  call: MetaTransactionCall;
}): MetaTransaction {
  const { call } = parameters;
  return {
    from: parameters.from,
    nonce: parameters.nonce,
    functionName: protocolFunctionName(call.functionName),
    functionSignature: encodeFunctionData({ abi: mergedProtocolAbi, functionName: call.functionName, args: call.args }),
  };
}

/** The EIP-712 typed data the user signs for `metaTx` (to `call`) on `diamond`. */
export function metaTransactionTypedData(parameters: {
  diamond: Address;
  chainId: number;
  metaTx: MetaTransaction;
  call: MetaTransactionCall;
}) {
  const { diamond, metaTx, call } = parameters;
  const { domain } = resolutionTypedData({ diamond, chainId: parameters.chainId, exchangeId: 0n, buyerPercent: 0n });
  const base = { nonce: metaTx.nonce, from: metaTx.from, contractAddress: diamond, functionName: metaTx.functionName };
  const struct = special[call.functionName];
  if (!struct) {
    return {
      domain,
      types: { MetaTransaction: [...header, { name: "functionSignature", type: "bytes" }] },
      primaryType: "MetaTransaction",
      message: { ...base, functionSignature: metaTx.functionSignature },
    };
  }
  return {
    domain,
    types: {
      [struct.primaryType]: [...header, { name: struct.detailsField, type: struct.detailsType }],
      [struct.detailsType]: [...struct.detailsFields],
    },
    primaryType: struct.primaryType,
    message: { ...base, [struct.detailsField]: struct.details(call.args) },
  };
}

/** The `executeMetaTransaction` calldata for a signed meta-transaction. */
export function executeMetaTransactionData(signed: SignedMetaTransaction): Hex {
  return encodeFunctionData({
    abi: metaTransactionsAbi,
    functionName: "executeMetaTransaction",
    args: [signed.from, signed.functionName, signed.functionSignature, signed.nonce, signed.signature],
  });
}
