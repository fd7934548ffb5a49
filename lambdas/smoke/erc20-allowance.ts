/**
 * The buyer's ERC-20 allowance for the protocol diamond, in place before a
 * commit to an ERC-20 priced offer. The protocol pulls the price from the
 * committing user (FundsBase.transferFundsIn: `safeTransferFrom(_msgSender(),
 * diamond, price)`, and during a meta-transaction `_msgSender()` is the user
 * who signed it), so without the allowance the commit reverts.
 *
 * `approve` is a call to the token, not a protocol function: no Boson
 * meta-transaction can carry it. The assistant (the smoke test's buyer)
 * therefore sends it itself and pays its gas, through the same lease and
 * transaction lifecycle as every other write of the key. It approves exactly
 * the price of the commit about to be made, so the upgradeable diamond can
 * never pull more than that commit costs; when the allowance already covers
 * it (a rerun after the approval was mined) nothing is sent.
 */
import { encodeFunctionData, erc20Abi, type Address, type Hex } from "viem";
import { withToolCall } from "../shared/runtime/logger";
import { sendCalldata, type SendOptions } from "../shared/chain/transactions";

export class Erc20BalanceError extends Error {
  constructor(token: Address, holder: Address, balance: bigint, price: bigint) {
    super(
      `the buyer ${holder} holds ${balance} of token ${token}, and the smoke offer costs ${price}: send the buyer at least the price of two commits`,
    );
    this.name = "Erc20BalanceError";
  }
}

export type AllowanceResult = { approved: false } | { approved: true; txHash: Hex; gasSpentWei: bigint };

/** Makes sure the diamond may pull `price` of `token` from the assistant; sends `approve(diamond, price)` when it may not. */
export async function ensureAllowance(
  parameters: { token: Address; price: bigint; idempotencyKey: string },
  options: SendOptions,
): Promise<AllowanceResult> {
  const { token, price } = parameters;
  const { clients, diamond, logger, requestId } = options;
  const owner = clients.account.address;
  const context = { requestId, ...(options.exchangeId ? { exchangeId: options.exchangeId } : {}) };
  const [balance, allowance] = await withToolCall(
    logger,
    { tool: "rpc", operation: "erc20.balanceAndAllowance", ...context, details: { token } },
    () =>
      Promise.all([
        clients.publicClient.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [owner] }),
        clients.publicClient.readContract({
          address: token,
          abi: erc20Abi,
          functionName: "allowance",
          args: [owner, diamond],
        }),
      ]),
    ([held, allowed]) => ({ details: { token, balance: held.toString(), allowance: allowed.toString() } }),
  );
  if (balance < price) throw new Erc20BalanceError(token, owner, balance, price);
  if (allowance >= price) return { approved: false };
  const sent = await sendCalldata(
    {
      functionName: "approve",
      to: token,
      data: encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [diamond, price] }),
    },
    { ...options, idempotencyKey: `approve:${parameters.idempotencyKey}` },
  );
  return { approved: true, txHash: sent.txHash, gasSpentWei: sent.gasSpentWei };
}
