import { getAddress, type Address } from "viem";
import { publicKeyToAddress } from "viem/accounts";
import { secp256k1PointFromSpki } from "../../lambdas/shared/kms-account/public-key";

/**
 * The Ethereum address of a KMS secp256k1 key, from the public key that KMS
 * GetPublicKey returns (base64 DER SubjectPublicKeyInfo). The SPKI is checked
 * and parsed by the same code the Lambdas' KMS account uses, so the address
 * the stack exports is the one the jobs sign as.
 */
export function ethereumAddressFromSpki(spkiBase64: string): Address {
  return getAddress(publicKeyToAddress(secp256k1PointFromSpki(Buffer.from(spkiBase64, "base64"))));
}
