/**
 * Finality per chain (checklist O3): how many confirmations a change needs
 * before the kit counts it as final. One table, so a reviewer reads every
 * chain's rule in one place. `minimum` is what config may not go below;
 * `default` is used when the stack does not set `confirmations`.
 */
export interface ChainFinality {
  readonly name: string;
  readonly kind: "l1" | "l2" | "sidechain" | "local";
  readonly minimum: number;
  readonly default: number;
}

export const chainFinality: Readonly<Record<number, ChainFinality>> = {
  1: { name: "Ethereum", kind: "l1", minimum: 12, default: 12 },
  11155111: { name: "Sepolia", kind: "l1", minimum: 12, default: 12 },
  137: { name: "Polygon PoS", kind: "sidechain", minimum: 3, default: 3 },
  80002: { name: "Polygon Amoy", kind: "sidechain", minimum: 3, default: 3 },
  10: { name: "OP Mainnet", kind: "l2", minimum: 2, default: 3 },
  11155420: { name: "OP Sepolia", kind: "l2", minimum: 2, default: 3 },
  8453: { name: "Base", kind: "l2", minimum: 2, default: 3 },
  84532: { name: "Base Sepolia", kind: "l2", minimum: 2, default: 3 },
  42161: { name: "Arbitrum One", kind: "l2", minimum: 2, default: 3 },
  421614: { name: "Arbitrum Sepolia", kind: "l2", minimum: 2, default: 3 },
  31337: { name: "Local (anvil/hardhat)", kind: "local", minimum: 1, default: 1 },
};

/** The finality rule for a chain, or an error naming the chains the kit knows. */
export function finalityFor(chainId: number): ChainFinality {
  const rule = chainFinality[chainId];
  if (!rule) {
    throw new Error(
      `chain ${chainId} has no finality rule in infra/chains.ts; known chains: ${Object.keys(chainFinality).join(", ")}`,
    );
  }
  return rule;
}
