import { generateKeyPairSync, randomBytes } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1";
import { bytesToHex, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import { DerError } from "../../lambdas/shared/kms-account/der";
import { secp256k1PointFromSpki, SpkiCurveError } from "../../lambdas/shared/kms-account/public-key";
import { parseDerSignature, recoveryBitFinder, toLowS } from "../../lambdas/shared/kms-account/signature";

const N = secp256k1.CURVE.n;

/** A tiny DER writer, to build inputs KMS would never send. */
const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
  const content = Buffer.concat(parts);
  const length = content.length < 0x80 ? [content.length] : [0x81, content.length];
  return Uint8Array.from([tag, ...length, ...content]);
};
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
const OID_EC = tlv(0x06, bytes("2a8648ce3d0201"));
const OID_SECP256K1 = tlv(0x06, bytes("2b8104000a"));
const int = (value: bigint) => {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return tlv(0x02, bytes(hex));
};
const ecdsaSig = (r: bigint, s: bigint) => tlv(0x30, int(r), int(s));

function secp256k1Spki(): { spki: Uint8Array; point: Hex } {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
  const spki = publicKey.export({ format: "der", type: "spki" });
  const jwk = publicKey.export({ format: "jwk" });
  const point = bytesToHex(
    Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? "", "base64url"), Buffer.from(jwk.y ?? "", "base64url")]),
  );
  return { spki, point };
}

describe("SubjectPublicKeyInfo parsing", () => {
  it("extracts the uncompressed point of a secp256k1 key encoded by OpenSSL", () => {
    const { spki, point } = secp256k1Spki();
    expect(secp256k1PointFromSpki(spki)).toBe(point);
  });

  it("refuses a P-256 key by its curve OID", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    expect(() => secp256k1PointFromSpki(publicKey.export({ format: "der", type: "spki" }))).toThrow(SpkiCurveError);
    expect(() => secp256k1PointFromSpki(publicKey.export({ format: "der", type: "spki" }))).toThrow(/curve is P-256/);
  });

  it("refuses an RSA key (long-form DER lengths) by its algorithm OID", () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(() => secp256k1PointFromSpki(publicKey.export({ format: "der", type: "spki" }))).toThrow(
      /key type is rsaEncryption/,
    );
  });

  it("refuses a compressed point", () => {
    const compressed = secp256k1.getPublicKey(secp256k1.utils.randomPrivateKey(), true);
    const spki = tlv(0x30, tlv(0x30, OID_EC, OID_SECP256K1), tlv(0x03, Uint8Array.of(0), compressed));
    expect(() => secp256k1PointFromSpki(spki)).toThrow(/33 bytes starting 0x[23], not an uncompressed 65-byte point/);
  });

  it("refuses truncated input, trailing bytes, and non-minimal or indefinite lengths", () => {
    const { spki } = secp256k1Spki();
    expect(() => secp256k1PointFromSpki(spki.subarray(0, spki.length - 1))).toThrow(DerError);
    expect(() => secp256k1PointFromSpki(Buffer.concat([spki, Uint8Array.of(0)]))).toThrow(/trailing/);
    const nonMinimal = Uint8Array.from([0x30, 0x81, spki.length - 2, ...spki.subarray(2)]);
    expect(() => secp256k1PointFromSpki(nonMinimal)).toThrow(/non-minimal/);
    const indefinite = Uint8Array.from([0x30, 0x80, ...spki.subarray(2), 0, 0]);
    expect(() => secp256k1PointFromSpki(indefinite)).toThrow(/length form/);
  });
});

describe("ECDSA signature parsing", () => {
  it("reads minimal INTEGERs of 31, 32 and 33 bytes alike", () => {
    for (const [r, s] of [
      [0x7fn << 240n, N - 1n], // 31-byte r, 33-byte s
      [0xffn << 240n, 0x01n << 248n], // 32-byte r (31 bytes + pad), 32-byte s
      [1n, 2n],
    ] as const) {
      expect(parseDerSignature(ecdsaSig(r, s))).toEqual({ r, s });
    }
  });

  it("refuses negative INTEGERs, zero and values >= n, extra elements and trailing bytes", () => {
    const negative = tlv(0x30, tlv(0x02, bytes("80")), int(1n));
    expect(() => parseDerSignature(negative)).toThrow(/negative/);
    expect(() => parseDerSignature(ecdsaSig(0n, 1n))).toThrow(/outside/);
    expect(() => parseDerSignature(ecdsaSig(1n, N))).toThrow(/outside/);
    expect(() => parseDerSignature(tlv(0x30, int(1n), int(1n), int(1n)))).toThrow(/3 element/);
    expect(() => parseDerSignature(Buffer.concat([ecdsaSig(1n, 1n), Uint8Array.of(0)]))).toThrow(/trailing/);
  });

  it("moves s into the low half (EIP-2) and leaves low s alone", () => {
    expect(toLowS({ r: 5n, s: N - 3n })).toEqual({ r: 5n, s: 3n });
    expect(toLowS({ r: 5n, s: N / 2n })).toEqual({ r: 5n, s: N / 2n });
    expect(toLowS({ r: 5n, s: N / 2n + 1n })).toEqual({ r: 5n, s: N / 2n });
  });
});

describe("recovery bit", () => {
  it("matches the recovery id of the signer, for both parities, and refuses another key's signature", () => {
    const privateKey = secp256k1.utils.randomPrivateKey();
    const find = recoveryBitFinder(bytesToHex(secp256k1.getPublicKey(privateKey, false)));
    const other = secp256k1.utils.randomPrivateKey();
    const seen = new Set<number>();
    for (let i = 0; i < 64; i++) {
      const hash = randomBytes(32);
      const signature = secp256k1.sign(hash, privateKey, { lowS: true, extraEntropy: true });
      seen.add(signature.recovery);
      expect(find(bytesToHex(hash), signature)).toBe(signature.recovery);
      const foreign = secp256k1.sign(hash, other, { lowS: true, extraEntropy: true });
      expect(find(bytesToHex(hash), foreign)).toBeUndefined();
    }
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it("refuses a public key that is not on the curve", () => {
    const point = secp256k1.getPublicKey(secp256k1.utils.randomPrivateKey(), false);
    point[64] = (point[64] ?? 0) ^ 1;
    expect(() => recoveryBitFinder(bytesToHex(point))).toThrow();
  });
});
