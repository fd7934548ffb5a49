/**
 * Key material and signatures for the KMS test endpoint: keys encoded by
 * OpenSSL, ECDSA signatures with fresh randomness and no low-s
 * normalisation, minimal DER as KMS returns it.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { p256 } from "@noble/curves/p256";
import { secp256k1 } from "@noble/curves/secp256k1";
import type { KmsKeySpec, SignatureShape, SignatureStats } from "./kms-endpoint-types";

type Curve = typeof secp256k1 | typeof p256;

export type EcdsaKey = { curve: Curve; privateKey: Uint8Array };

/** Generates (or imports) the key and its SubjectPublicKeyInfo, encoded by OpenSSL rather than by us. */
export function keyMaterial(keySpec: KmsKeySpec, seed: string | undefined): { spki: Buffer; ecdsa?: EcdsaKey } {
  if (keySpec === "RSA_2048") {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return { spki: spki(publicKey) };
  }
  if (keySpec === "ECC_NIST_P256") {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const d = privateKey.export({ format: "jwk" }).d;
    if (d === undefined) throw new Error("P-256 key export has no private scalar");
    return { spki: spki(createPublicKey(privateKey)), ecdsa: { curve: p256, privateKey: Buffer.from(d, "base64url") } };
  }
  const privateKey =
    seed === undefined ? secp256k1.utils.randomPrivateKey() : Buffer.from(seed.replace(/^0x/, ""), "hex");
  const point = secp256k1.getPublicKey(privateKey, false);
  const jwk = {
    kty: "EC",
    crv: "secp256k1",
    d: Buffer.from(privateKey).toString("base64url"),
    x: Buffer.from(point.subarray(1, 33)).toString("base64url"),
    y: Buffer.from(point.subarray(33)).toString("base64url"),
  };
  return {
    spki: spki(createPublicKey(createPrivateKey({ key: jwk, format: "jwk" }))),
    ecdsa: { curve: secp256k1, privateKey },
  };
}

function spki(publicKey: KeyObject): Buffer {
  return publicKey.export({ format: "der", type: "spki" });
}

/**
 * Signs the digest as given (no second hash), with fresh randomness each time
 * and without low-s normalisation: KMS makes neither promise.
 */
export function signWithShape(key: EcdsaKey, digest: Uint8Array, shape: SignatureShape): { r: bigint; s: bigint } {
  const { n } = key.curve.CURVE;
  const holds = ({ r, s }: { r: bigint; s: bigint }) =>
    shape === "any" ||
    (shape === "high-s" && s > n >> 1n) ||
    (shape === "low-s" && s <= n >> 1n) ||
    // Below 2^247 the minimal DER INTEGER has at most 31 content bytes (no 0x00 pad needed).
    (shape === "short-r" && r < 1n << 247n) ||
    (shape === "short-s" && s < 1n << 247n);
  for (let tries = 0; tries < 100_000; tries++) {
    const signature = key.curve.sign(digest, key.privateKey, { lowS: false, extraEntropy: randomBytes(32) });
    if (holds(signature)) return { r: signature.r, s: signature.s };
  }
  throw new Error(`could not produce a ${shape} signature`);
}

/** ECDSA-Sig-Value with minimal INTEGERs, as KMS returns it. */
export function derSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  const content = Buffer.from(hex, "hex");
  return Buffer.concat([Buffer.from([0x02, content.length]), content]);
}

export function recordStats(stats: SignatureStats, curve: Curve, r: bigint, s: bigint): void {
  stats.count += 1;
  if (s > curve.CURVE.n >> 1n) stats.highS += 1;
  for (const value of [r, s]) {
    const length = derInteger(value).length - 2;
    stats.integerLengths[length] = (stats.integerLengths[length] ?? 0) + 1;
  }
}
