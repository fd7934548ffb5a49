/**
 * The address check every signing job makes at cold start: the KMS key must
 * be the one whose address the team recorded after the first deploy. A key
 * swapped by a policy change, a wrong alias or a wrong region derives another
 * address, and a job must not sign a single transaction with it.
 */
import { isAddressEqual, type Address } from "viem";

export class SignerAddressMismatchError extends Error {
  override name = "SignerAddressMismatchError";
  constructor(
    readonly keyId: string,
    readonly actual: Address,
    readonly pinned: Address,
  ) {
    super(
      `KMS key ${keyId} is address ${actual}, but the stack pins the signer to ${pinned} (boson-kit:signer.address): ` +
        "refusing to sign. Check KEY_ID, the key's alias and region; if the key was rotated on purpose, record the new address with " +
        "`pulumi config set --path 'boson-kit:signer.address' <address>` and deploy",
    );
  }
}

/** Throws SignerAddressMismatchError unless `pinned` is unset (before the first deploy) or equals `actual`. */
export function assertPinnedAddress(keyId: string, actual: Address, pinned: Address | undefined): void {
  if (pinned !== undefined && !isAddressEqual(actual, pinned))
    throw new SignerAddressMismatchError(keyId, actual, pinned);
}
