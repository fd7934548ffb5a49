/**
 * Replacement fees for a transaction stuck at its nonce. Nodes accept a
 * replacement only when both the max fee and the priority fee rise by at
 * least their price bump (geth's and anvil's txpool default: 10%), so each is
 * raised by at least that much, rounded up, and never below what the market
 * asks now. The result is refused above the stack's max fee per gas: the kit
 * alerts instead of paying any price.
 */
export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** geth's and anvil's default txpool price bump, in percent. */
export const nodeReplacementMinimumPercent = 10;

export class FeeCapError extends Error {
  readonly transient = true;
  constructor(
    readonly wantedMaxFeePerGas: bigint,
    readonly capWei: bigint,
  ) {
    super(
      `the transaction needs a max fee of ${wantedMaxFeePerGas} wei/gas, above the configured cap of ${capWei} wei/gas (transactions.maxFeePerGasGwei): not sent`,
    );
    this.name = "FeeCapError";
  }
}

/** `value` raised by `percent`, rounded up, and by at least 1 wei so a zero fee still moves. */
export function raisedBy(value: bigint, percent: number): bigint {
  const raised = value + (value * BigInt(Math.ceil(percent)) + 99n) / 100n;
  return raised > value ? raised : value + 1n;
}

export function assertUnderCap(fees: Fees, capWei: bigint): void {
  if (fees.maxFeePerGas > capWei) throw new FeeCapError(fees.maxFeePerGas, capWei);
}

/** Fees for the replacement of a transaction sent with `previous`, given the market's `current` estimate. */
export function replacementFees(
  previous: Fees,
  current: Fees,
  policy: { bumpPercent: number; maxFeePerGasWei: bigint },
): Fees {
  const percent = Math.max(policy.bumpPercent, nodeReplacementMinimumPercent);
  const maxPriorityFeePerGas = max(raisedBy(previous.maxPriorityFeePerGas, percent), current.maxPriorityFeePerGas);
  const maxFeePerGas = max(raisedBy(previous.maxFeePerGas, percent), current.maxFeePerGas, maxPriorityFeePerGas);
  const fees = { maxFeePerGas, maxPriorityFeePerGas };
  assertUnderCap(fees, policy.maxFeePerGasWei);
  return fees;
}

function max(first: bigint, ...rest: bigint[]): bigint {
  return rest.reduce((highest, value) => (value > highest ? value : highest), first);
}
