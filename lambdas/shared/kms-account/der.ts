/**
 * A minimal strict DER reader for the two structures KMS returns to us: the
 * SubjectPublicKeyInfo of GetPublicKey and the ECDSA-Sig-Value of Sign.
 *
 * Hand-written on purpose: the npm ASN.1 libraries are general schema
 * frameworks (asn1.js with bn.js, pkijs, @peculiar/asn1-schema) far larger
 * than these two fixed shapes, which need about fifty lines. It reads
 * definite lengths only (DER forbids the indefinite form) and rejects
 * truncated input, non-minimal lengths and trailing bytes.
 */

export type DerElement = {
  tag: number;
  content: Uint8Array;
};

export const DER_TAG = {
  integer: 0x02,
  bitString: 0x03,
  null: 0x05,
  objectIdentifier: 0x06,
  sequence: 0x30,
} as const;

/** Thrown for any input that is not the DER we expect; callers add which key and which call. */
export class DerError extends Error {
  override name = "DerError";
}

/** Reads exactly one element that spans the whole input. */
export function readDerElement(bytes: Uint8Array, expectedTag?: number): DerElement {
  const { element, end } = readAt(bytes, 0);
  if (end !== bytes.length) throw new DerError(`${bytes.length - end} trailing byte(s) after the DER element`);
  assertTag(element, expectedTag);
  return element;
}

/**
 * The children of the SEQUENCE that spans `bytes`, checked against
 * `expectedTags` (same count, same order; `undefined` accepts any tag).
 */
export function readDerSequence(bytes: Uint8Array, expectedTags: readonly (number | undefined)[]): DerElement[] {
  const children = derChildren(readDerElement(bytes, DER_TAG.sequence));
  if (children.length !== expectedTags.length) {
    throw new DerError(`SEQUENCE has ${children.length} element(s), expected ${expectedTags.length}`);
  }
  children.forEach((child, index) => assertTag(child, expectedTags[index]));
  return children;
}

/** The elements inside a constructed element (a SEQUENCE), in order. */
export function derChildren(element: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = 0; offset < element.content.length;) {
    const { element: child, end } = readAt(element.content, offset);
    children.push(child);
    offset = end;
  }
  return children;
}

/** A DER INTEGER's content as a non-negative bigint (negative values are refused). */
export function derUnsignedInteger(element: DerElement): bigint {
  const { content } = element;
  const first = content[0];
  if (first === undefined) throw new DerError("empty INTEGER");
  if (first & 0x80) throw new DerError("negative INTEGER");
  let value = 0n;
  for (const byte of content) value = (value << 8n) | BigInt(byte);
  return value;
}

/** Dotted form of an OBJECT IDENTIFIER, for comparisons and error messages. */
export function derObjectIdentifier(element: DerElement): string {
  const arcs: bigint[] = [];
  let arc = 0n;
  for (const byte of element.content) {
    arc = (arc << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(arc);
      arc = 0n;
    }
  }
  const first = arcs.shift();
  if (first === undefined) throw new DerError("empty OBJECT IDENTIFIER");
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join(".");
}

function readAt(bytes: Uint8Array, offset: number): { element: DerElement; end: number } {
  const tag = bytes[offset];
  const lengthByte = bytes[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new DerError("truncated DER header");
  let length = lengthByte;
  let start = offset + 2;
  if (lengthByte & 0x80) {
    const size = lengthByte & 0x7f;
    // 0 is the indefinite form; more than 2 length bytes is far beyond any key or signature.
    if (size === 0 || size > 2) throw new DerError(`unsupported DER length form 0x${lengthByte.toString(16)}`);
    length = 0;
    for (let index = 0; index < size; index++) {
      const byte = bytes[start + index];
      if (byte === undefined) throw new DerError("truncated DER length");
      length = (length << 8) | byte;
    }
    if (length < 0x80 || (size === 2 && length < 0x100)) throw new DerError("non-minimal DER length");
    start += size;
  }
  const end = start + length;
  if (end > bytes.length) throw new DerError("DER element runs past the end of its input");
  return { element: { tag, content: bytes.subarray(start, end) }, end };
}

function assertTag(element: DerElement, expected: number | undefined): void {
  if (expected !== undefined && element.tag !== expected) {
    throw new DerError(`found tag 0x${element.tag.toString(16)} where 0x${expected.toString(16)} was expected`);
  }
}
