import { getAddress, type Address } from "viem";
import { publicKeyToAddress } from "viem/accounts";

/**
 * The Ethereum address of a KMS secp256k1 key, from the public key that KMS
 * GetPublicKey returns: a DER SubjectPublicKeyInfo (RFC 5480) holding an
 * uncompressed point 0x04 || X || Y. The address is the last 20 bytes of
 * keccak256(X || Y), which viem's `publicKeyToAddress` computes.
 */

const idEcPublicKey = "2a8648ce3d0201"; // 1.2.840.10045.2.1
const secp256k1 = "2b8104000a"; // 1.3.132.0.10

interface DerElement {
  readonly tag: number;
  readonly body: Buffer;
  /** Offset just past this element in the buffer it was read from. */
  readonly end: number;
}

function readDer(buffer: Buffer, offset: number): DerElement {
  const tag = buffer[offset];
  let length = buffer[offset + 1];
  if (tag === undefined || length === undefined) throw new Error("truncated DER");
  let start = offset + 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes < 1 || lengthBytes > 2) throw new Error("unsupported DER length");
    length = buffer.readUIntBE(start, lengthBytes);
    start += lengthBytes;
  }
  const end = start + length;
  if (end > buffer.length) throw new Error("truncated DER");
  return { tag, body: buffer.subarray(start, end), end };
}

function readSequence(buffer: Buffer): DerElement[] {
  const elements: DerElement[] = [];
  for (let offset = 0; offset < buffer.length; ) {
    const element = readDer(buffer, offset);
    elements.push(element);
    offset = element.end;
  }
  return elements;
}

/** The uncompressed secp256k1 point (65 bytes, 0x04-prefixed) in a base64 SPKI, or an error naming what is wrong. */
export function secp256k1PointFromSpki(spkiBase64: string): Buffer {
  const spki = readDer(Buffer.from(spkiBase64, "base64"), 0);
  if (spki.tag !== 0x30) throw new Error("public key is not a DER SubjectPublicKeyInfo");
  const [algorithm, bitString] = readSequence(spki.body);
  if (algorithm?.tag !== 0x30 || bitString?.tag !== 0x03) throw new Error("public key is not a DER SubjectPublicKeyInfo");
  const [algorithmId, curve] = readSequence(algorithm.body);
  if (algorithmId?.body.toString("hex") !== idEcPublicKey) throw new Error("public key is not an elliptic-curve key");
  if (curve?.body.toString("hex") !== secp256k1) throw new Error("public key is not on secp256k1 (KMS key spec must be ECC_SECG_P256K1)");
  // A BIT STRING starts with its count of unused bits, 0 here.
  const point = bitString.body.subarray(1);
  if (bitString.body[0] !== 0 || point.length !== 65 || point[0] !== 0x04) {
    throw new Error("public key is not an uncompressed secp256k1 point");
  }
  return point;
}

/** The checksummed Ethereum address of a base64 SPKI secp256k1 public key. */
export function ethereumAddressFromSpki(spkiBase64: string): Address {
  const point = secp256k1PointFromSpki(spkiBase64);
  return getAddress(publicKeyToAddress(`0x${point.toString("hex")}`));
}
