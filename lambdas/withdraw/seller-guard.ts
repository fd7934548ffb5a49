/**
 * Takeover guard (checklist M3, S2): before any withdrawal, read the seller
 * (`getSeller`) and compare its treasury, admin and assistant with the
 * stack's configuration. A treasury change by the admin applies at once
 * (`updateSeller` needs no opt-in for the treasury), so without this the next
 * withdrawal would pay whoever changed it. A difference refuses the
 * withdrawal and raises a high-severity alert (metric + ERROR record).
 *
 * One difference is expected: during a key rotation, from the new key's
 * opt-in until the deploy that switches the jobs, the protocol's assistant is
 * the stack's own pending key. The run then stops before signing, as a
 * transient outcome, not a page.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { isAddressEqual, type Address, type Chain, type PublicClient, type Transport } from "viem";
import { protocolAbi } from "../shared/chain/protocol";
import { withDecodedRevert } from "../shared/chain/revert";
import { withToolCall } from "../shared/runtime/logger";

export type ExpectedSeller = { treasury: Address; admin: Address; assistant: Address };
export type SellerDifference = { field: keyof ExpectedSeller | "exists" | "active"; expected: string; actual: string };

export async function sellerDifferences(
  reader: { publicClient: PublicClient<Transport, Chain>; diamond: Address; logger: Logger; requestId: string },
  sellerId: bigint,
  expected: ExpectedSeller,
): Promise<SellerDifference[]> {
  const [exists, seller] = await withToolCall(
    reader.logger,
    { tool: "rpc", operation: "getSeller", requestId: reader.requestId },
    () =>
      withDecodedRevert("getSeller", () =>
        reader.publicClient.readContract({
          address: reader.diamond,
          abi: protocolAbi,
          functionName: "getSeller",
          args: [sellerId],
        }),
      ),
    ([found, value]) => ({
      details: {
        sellerId: sellerId.toString(),
        exists: found,
        treasury: value.treasury,
        admin: value.admin,
        assistant: value.assistant,
      },
    }),
  );
  if (!exists) return [{ field: "exists", expected: "true", actual: "false" }];
  const differences: SellerDifference[] = [];
  for (const field of ["treasury", "admin", "assistant"] as const) {
    if (!isAddressEqual(seller[field], expected[field]))
      differences.push({ field, expected: expected[field], actual: seller[field] });
  }
  if (!seller.active) differences.push({ field: "active", expected: "true", actual: "false" });
  return differences;
}

/** The only difference is the assistant, and the chain's assistant is the stack's own pending rotation key. */
export function isRotationGap(differences: readonly SellerDifference[], rotationAddress: Address | undefined): boolean {
  const [only] = differences;
  return (
    differences.length === 1 &&
    only?.field === "assistant" &&
    rotationAddress !== undefined &&
    isAddressEqual(only.actual as Address, rotationAddress)
  );
}
