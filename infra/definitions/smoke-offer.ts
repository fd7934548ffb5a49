/**
 * How the smoke job's known test offer is paid (`smoke.exchangeToken`):
 * `free` (price 0, nothing moves from the buyer), `native` (the chain's coin,
 * sent as the commit's value) or an ERC-20's address (the buyer approves the
 * diamond, which pulls the price with transferFrom). A Boson meta-transaction
 * carries no value, so with a relayer a native-priced offer cannot be
 * committed to: the config refuses it here, before anything is deployed, and
 * the job checks the on-chain offer against this setting at run time.
 */
import { getAddress, isAddress, zeroAddress } from "viem";
import { z } from "zod";

export type SmokeExchangeToken = "free" | "native" | `0x${string}`;

const what = 'how the smoke offer is paid: "free" (price 0), "native" (the chain\'s coin) or the ERC-20\'s address';

export const smokeExchangeTokenSchema = z
  .string({ error: `must say ${what}` })
  .superRefine((value, context) => {
    if (value === "free" || value === "native") return;
    const problem = !/^0x[0-9a-fA-F]{40}$/.test(value)
      ? `must say ${what}`
      : value === zeroAddress
        ? 'is the zero address, which the protocol reads as the native coin: write "native"'
        : !isAddress(value, { strict: false }) || value !== getAddress(value)
          ? `must be the ERC-20's address written with its EIP-55 checksum, ${getAddress(value)}, so a mistyped character cannot pass`
          : undefined;
    if (problem) context.addIssue({ code: "custom", message: problem });
  })
  .transform((value) => value as SmokeExchangeToken);

type Issue = { key: string; value: string; problem: string; fix: string };

/** A native-priced smoke offer with a relayer configured: its commit would need a value no meta-transaction carries. */
export function smokeOfferIssues(parameters: {
  namespace: string;
  stack: string;
  smoke: { readonly exchangeToken: SmokeExchangeToken } | undefined;
  relayerConfigured: boolean;
}): Issue[] {
  const { namespace, stack, smoke } = parameters;
  if (!smoke || !parameters.relayerConfigured || smoke.exchangeToken !== "native") return [];
  const key = `${namespace}:smoke.exchangeToken`;
  return [
    {
      key,
      value: JSON.stringify(smoke.exchangeToken),
      problem:
        "a native-priced smoke offer cannot be committed to through the relayer: a meta-transaction carries no value, so the smoke offer must be free or priced in an ERC-20",
      fix: `create a free or ERC-20 priced test offer, then pulumi config set --path '${namespace}:smoke.offerId' <its id> --stack ${stack} && pulumi config set --path '${key}' <free or the token's 0x address> --stack ${stack} (or remove ${namespace}:relayer)`,
    },
  ];
}
