import {
  createPublicClient,
  http,
  parseAbi,
  toFunctionSelector,
  zeroAddress,
  type Abi,
  type AbiFunction,
  type Address,
  type Hex,
} from "viem";
import type { KitConfig } from "../../../infra/config";
import { pausableRegionName, pauseHandlerAbi, protocolAbi } from "../../../lambdas/shared/chain/protocol";
import { subgraphLag, type SubgraphLag } from "./subgraph";
import { checkSubgraphFields, type SubgraphFieldCheck } from "./subgraph-fields";

/**
 * Online mode (`--rpc <url>`): the on-chain facts the offline review cannot
 * see. Reads only (no transaction), through viem against the RPC the caller
 * names; the tests point it at anvil on 127.0.0.1.
 */

export interface ChainFacts {
  /** The RPC host only: a path or query could carry an API key. */
  readonly rpcHost: string;
  readonly chainId: number;
  readonly blockNumber: number;
  readonly diamond: { readonly address: string; readonly hasCode: boolean; readonly codeSize: number };
  readonly seller?: {
    readonly exists: boolean;
    readonly assistant: string;
    readonly admin: string;
    readonly treasury: string;
    readonly active: boolean;
    readonly adminIsContract: boolean;
  };
  readonly pausedRegions: readonly string[];
  /** The selectors the kit calls, looked up with the diamond's facetAddress: those no facet serves. */
  readonly selectors?: {
    readonly checked: number;
    readonly unserved: readonly { readonly name: string; readonly selector: Hex }[];
  };
  readonly subgraph?: SubgraphLag;
  /** The kit's subgraph documents validated against the live subgraph's introspection. */
  readonly subgraphFields?: SubgraphFieldCheck;
  /** Reads that failed, with why (e.g. getSeller reverted). */
  readonly errors: readonly string[];
}

export interface ChainOptions {
  readonly rpcUrl: string;
  /** Overrides the config's subgraph URL (tests use a local server); `false` skips the lag check. */
  readonly subgraphUrl?: string | false;
  readonly timeoutMs?: number;
}

/** IDiamondLoupe's facet lookup (EIP-2535), as the protocol diamond declares it; @bosonprotocol/common does not ship it. */
export const diamondLoupeAbi = parseAbi([
  "function facetAddress(bytes4 _functionSelector) view returns (address facetAddress_)",
]);

/** Every protocol function the jobs call, by selector. */
export const calledFunctions: readonly { readonly name: string; readonly selector: Hex }[] = (
  [...protocolAbi, ...pauseHandlerAbi] as readonly Abi[number][]
)
  .filter((item): item is AbiFunction => item.type === "function")
  .map((item) => ({ name: item.name, selector: toFunctionSelector(item) }));

const message = (error: unknown) =>
  error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error);

export async function readChainFacts(config: KitConfig, options: ChainOptions): Promise<ChainFacts> {
  const client = createPublicClient({
    transport: http(options.rpcUrl, { timeout: options.timeoutMs ?? 10_000, retryCount: 1 }),
  });
  const errors: string[] = [];
  const diamond = config.protocol.diamond as Address;
  const [chainId, blockNumber, code] = await Promise.all([
    client.getChainId(),
    client.getBlockNumber(),
    client.getCode({ address: diamond }),
  ]);
  const codeSize = code ? (code.length - 2) / 2 : 0;

  let seller: ChainFacts["seller"];
  if (codeSize > 0) {
    try {
      const [exists, record] = await client.readContract({
        address: diamond,
        abi: protocolAbi,
        functionName: "getSeller",
        args: [BigInt(config.seller.id)],
      });
      const adminCode = await client.getCode({ address: record.admin });
      seller = {
        exists,
        assistant: record.assistant,
        admin: record.admin,
        treasury: record.treasury,
        active: record.active,
        adminIsContract: adminCode !== undefined && adminCode.length > 2,
      };
      if (!exists) errors.push(`seller ${config.seller.id} does not exist on this diamond`);
    } catch (error) {
      errors.push(`getSeller(${config.seller.id}) failed: ${message(error)}`);
    }
  }

  let pausedRegions: string[] = [];
  if (codeSize > 0) {
    try {
      const regions = await client.readContract({
        address: diamond,
        abi: pauseHandlerAbi,
        functionName: "getPausedRegions",
      });
      pausedRegions = regions.map((region) => pausableRegionName(Number(region)));
    } catch (error) {
      errors.push(`getPausedRegions() failed: ${message(error)}`);
    }
  }

  let selectors: ChainFacts["selectors"];
  if (codeSize > 0) {
    try {
      const facets = await Promise.all(
        calledFunctions.map((fn) =>
          client.readContract({
            address: diamond,
            abi: diamondLoupeAbi,
            functionName: "facetAddress",
            args: [fn.selector],
          }),
        ),
      );
      selectors = {
        checked: calledFunctions.length,
        unserved: calledFunctions.filter((_, index) => facets[index] === zeroAddress),
      };
    } catch (error) {
      errors.push(`facetAddress(bytes4) failed: ${message(error)}`);
    }
  }

  const subgraphUrl = options.subgraphUrl === undefined ? config.protocol.subgraphUrl : options.subgraphUrl;
  const subgraph =
    subgraphUrl === false
      ? undefined
      : await subgraphLag(subgraphUrl, Number(blockNumber), options.timeoutMs ?? 10_000);
  const subgraphFields =
    subgraphUrl === false ? undefined : await checkSubgraphFields(subgraphUrl, options.timeoutMs ?? 10_000);

  return {
    rpcHost: new URL(options.rpcUrl).host,
    chainId,
    blockNumber: Number(blockNumber),
    diamond: { address: diamond, hasCode: codeSize > 0, codeSize },
    ...(seller
      ? { seller: { ...seller, exists: seller.exists && !errors.some((e) => e.includes("does not exist")) } }
      : {}),
    pausedRegions,
    ...(selectors ? { selectors } : {}),
    ...(subgraph ? { subgraph } : {}),
    ...(subgraphFields ? { subgraphFields } : {}),
    errors,
  };
}
