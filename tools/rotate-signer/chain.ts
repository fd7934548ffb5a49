/**
 * What the rotation reads from the chain and KMS, and the transactions it
 * sends itself (the opt-in, signed by the new key; the gas move, signed by
 * the old one). The admin's `updateSeller` is never sent from here: it is
 * printed as a transaction for the admin smart account to sign.
 */
import { DescribeKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import accountHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonAccountHandler.json";
import {
  encodeFunctionData,
  type Abi,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  createWalletClient,
  http,
} from "viem";
import type { KmsAccount } from "../../lambdas/shared/kms-account/account";

/** The official AccountHandler ABI (the kit's Lambdas never call it; only this tool does). */
export const accountHandlerAbi = accountHandlerJson as unknown as Abi;
/** SellerUpdateFields.Assistant in the protocol's BosonTypes. */
export const ASSISTANT_FIELD = 1;

export type SellerRecord = {
  id: bigint;
  assistant: Address;
  admin: Address;
  clerk: Address;
  treasury: Address;
  active: boolean;
  metadataUri: string;
};
export type AuthTokenRecord = { tokenId: bigint; tokenType: number };

export async function readSeller(
  client: PublicClient<Transport, Chain>,
  diamond: Address,
  sellerId: bigint,
): Promise<{ seller: SellerRecord; authToken: AuthTokenRecord }> {
  const [exists, seller, authToken] = (await client.readContract({
    address: diamond,
    abi: accountHandlerAbi,
    functionName: "getSeller",
    args: [sellerId],
  })) as [boolean, SellerRecord, AuthTokenRecord];
  if (!exists) throw new Error(`seller ${sellerId} does not exist on diamond ${diamond}: check boson-kit:seller.id`);
  return { seller, authToken };
}

/** Whether an update naming `candidate` as assistant awaits its opt-in: the opt-in call would succeed from that address. */
export async function pendingAssistant(
  client: PublicClient<Transport, Chain>,
  diamond: Address,
  sellerId: bigint,
  candidate: Address,
): Promise<boolean> {
  try {
    await client.simulateContract({
      address: diamond,
      abi: accountHandlerAbi,
      functionName: "optInToSellerUpdate",
      args: [sellerId, [ASSISTANT_FIELD]],
      account: candidate,
    });
    return true;
  } catch {
    return false;
  }
}

/** The admin's transaction: `updateSeller` with the new assistant and everything else unchanged. */
export function updateSellerTransaction(
  diamond: Address,
  current: { seller: SellerRecord; authToken: AuthTokenRecord },
  newAssistant: Address,
): { to: Address; value: bigint; data: Hex } {
  const data = encodeFunctionData({
    abi: accountHandlerAbi,
    functionName: "updateSeller",
    args: [{ ...current.seller, assistant: newAssistant }, current.authToken],
  });
  return { to: diamond, value: 0n, data };
}

export async function keyEnabled(kms: KMSClient, keyId: string): Promise<boolean> {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
  return KeyMetadata?.KeyState === "Enabled";
}

/** Sends one transaction signed in KMS by `account` and waits for it; throws on revert. */
export async function sendSigned(
  client: PublicClient<Transport, Chain>,
  rpcUrl: string,
  account: KmsAccount,
  request: {
    to: Address;
    data?: Hex;
    value?: bigint;
    gas?: bigint;
    maxFeePerGas?: bigint;
    maxPriorityFeePerGas?: bigint;
  },
): Promise<Hex> {
  const wallet = createWalletClient({ account, chain: client.chain, transport: http(rpcUrl) });
  const hash = await wallet.sendTransaction({ ...request, chain: client.chain });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return hash;
}

/** The old key's whole balance minus the fee of a plain transfer at the current fee, or 0 when it would not cover it. */
export async function movableBalance(
  client: PublicClient<Transport, Chain>,
  from: Address,
): Promise<{ balance: bigint; movable: bigint; fee: bigint; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
  const [balance, fees] = await Promise.all([client.getBalance({ address: from }), client.estimateFeesPerGas()]);
  const maxFeePerGas = fees.maxFeePerGas ?? 0n;
  const fee = 21_000n * maxFeePerGas;
  return {
    balance,
    movable: balance > fee ? balance - fee : 0n,
    fee,
    maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n,
  };
}
