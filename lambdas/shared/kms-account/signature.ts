/**
 * From the DER signature KMS returns to the (r, s, yParity) Ethereum needs.
 *
 * KMS gives r and s as minimal DER INTEGERs (1 to 33 bytes), s in either half
 * of the group order, and no recovery bit. Ethereum needs s in the low half
 * (EIP-2: nodes reject high-s) and the parity of the nonce point R.
 */
import { invert, mod } from "@noble/curves/abstract/modular";
import { secp256k1 } from "@noble/curves/secp256k1";
import { hexToBigInt, type Hex } from "viem";
import { DER_TAG, DerError, derUnsignedInteger, readDerSequence } from "./der";

export type EcdsaSignature = { r: bigint; s: bigint };

/**
 * Given a digest and a low-s signature, the recovery bit that makes it recover
 * to the key; undefined when the signature is not the key's.
 */
export type RecoveryBitFinder = (hash: Hex, signature: EcdsaSignature) => 0 | 1 | undefined;

const { n: N } = secp256k1.CURVE;
const HALF_N = N >> 1n;
const Point = secp256k1.ProjectivePoint;

/** ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, both in [1, n-1]. */
export function parseDerSignature(der: Uint8Array): EcdsaSignature {
  const [r, s] = readDerSequence(der, [DER_TAG.integer, DER_TAG.integer]).map(derUnsignedInteger);
  if (r === undefined || s === undefined) throw new DerError("unreachable: arity checked");
  if (r < 1n || r >= N || s < 1n || s >= N) throw new DerError("r or s is outside [1, n-1]");
  return { r, s };
}

/** EIP-2: (r, s) and (r, n - s) are both valid; Ethereum accepts only s <= n/2. */
export function toLowS(signature: EcdsaSignature): EcdsaSignature {
  return signature.s > HALF_N ? { r: signature.r, s: N - signature.s } : signature;
}

/**
 * Builds the recovery-bit finder for one public key, once per key.
 *
 * Recovering with bit b rebuilds R_b (x = r, y of parity b) and yields
 * Q_b = r^-1 (s R_b - h G); the bit is the b for which Q_b is our key. The
 * same R comes out directly from our key as R = (h/s) G + (r/s) Q, so one
 * multiplication pair tells the bit, or shows that neither bit matches (R.x
 * differs from r). With a precomputed table for Q this costs about a third of
 * one recovery; viem's recoverPublicKey would need one or two full recoveries
 * per signature, and signature throughput of the Lambdas is the point here.
 * Uses @noble/curves, the curve library viem itself uses (same pinned version).
 * `multiply`, not `multiplyUnsafe`: in @noble/curves 1.9.1 the latter returned
 * wrong points for precomputed points (G included) in our checks.
 */
export function recoveryBitFinder(publicKey: Hex): RecoveryBitFinder {
  // fromHex rejects points that are not on the curve.
  const key = secp256k1.utils.precompute(8, Point.fromHex(publicKey.slice(2)));
  return (hash, { r, s }) => {
    const h = mod(hexToBigInt(hash), N); // bits2int mod n, for a 256-bit digest
    const sInverse = invert(s, N);
    const u1 = mod(h * sInverse, N);
    const u2 = mod(r * sInverse, N);
    const hG = u1 === 0n ? Point.ZERO : Point.BASE.multiply(u1);
    const nonce = hG.add(key.multiply(u2));
    if (nonce.equals(Point.ZERO)) return undefined;
    const { x, y } = nonce.toAffine();
    // x >= n (r = x - n) would need recovery ids 2 or 3, which Ethereum cannot express.
    if (x !== r) return undefined;
    return y & 1n ? 1 : 0;
  };
}
