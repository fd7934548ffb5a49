/**
 * The cold-start floor: the least a signing job needs (viem public and wallet
 * clients over a fallback transport, a custom account, readContract,
 * @noble/curves and the KMS client), bundled the way the jobs are.
 */
import { KMSClient } from "@aws-sdk/client-kms";
import { secp256k1 } from "@noble/curves/secp256k1";
import { createPublicClient, createWalletClient, fallback, http, parseAbi } from "viem";
import { toAccount } from "viem/accounts";

const abi = parseAbi(["function balanceOf(address) view returns (uint256)"]);
const kms = new KMSClient({});

export async function handler(): Promise<unknown> {
  const transport = fallback([http(process.env.RPC_PRIMARY), http(process.env.RPC_FALLBACK)]);
  const publicClient = createPublicClient({ transport });
  const account = toAccount({
    address: "0x0000000000000000000000000000000000000001",
    signMessage: () => Promise.reject(new Error("floor")),
    signTransaction: () => Promise.reject(new Error("floor")),
    signTypedData: () => Promise.reject(new Error("floor")),
  });
  const wallet = createWalletClient({ account, transport });
  const point = secp256k1.ProjectivePoint.BASE.toHex();
  const balance = await publicClient.readContract({
    address: account.address,
    abi,
    functionName: "balanceOf",
    args: [account.address],
  });
  return { wallet: wallet.account.address, point, balance, region: await kms.config.region() };
}
