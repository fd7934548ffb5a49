/**
 * Checks that a KMS key can be an Ethereum account and extracts its public
 * key. Both the fields KMS reports and the key material are checked: a parser
 * that skips the curve OID would take a P-256 key for a secp256k1 one and
 * derive an address nobody can sign for.
 */
import type { GetPublicKeyCommandOutput } from "@aws-sdk/client-kms";
import { bytesToHex, type Hex } from "viem";
import { DER_TAG, DerError, derChildren, derObjectIdentifier, readDerSequence } from "./der";
import { KmsAccountError } from "./errors";

export const REQUIRED_KEY_SPEC = "ECC_SECG_P256K1";
export const REQUIRED_KEY_USAGE = "SIGN_VERIFY";
export const REQUIRED_SIGNING_ALGORITHM = "ECDSA_SHA_256";

const OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const OID_SECP256K1 = "1.3.132.0.10";
const KNOWN_OIDS: Record<string, string> = {
  "1.2.840.10045.2.1": "id-ecPublicKey",
  "1.3.132.0.10": "secp256k1",
  "1.2.840.10045.3.1.7": "P-256",
  "1.3.132.0.34": "P-384",
  "1.3.132.0.35": "P-521",
  "1.2.840.113549.1.1.1": "rsaEncryption",
};

/**
 * The uncompressed secp256k1 public key (0x04 || X || Y) of a GetPublicKey
 * answer, after checking spec, usage and signing algorithm.
 */
export function secp256k1PublicKeyOf(keyId: string, output: GetPublicKeyCommandOutput): Hex {
  const { KeySpec, KeyUsage, SigningAlgorithms, PublicKey } = output;
  if (KeySpec !== REQUIRED_KEY_SPEC || KeyUsage !== REQUIRED_KEY_USAGE) {
    throw new KmsAccountError({
      code: KeySpec !== REQUIRED_KEY_SPEC ? "WrongKeySpec" : "WrongKeyUsage",
      keyId,
      operation: "GetPublicKey",
      message: `KMS key ${keyId} has KeySpec ${String(KeySpec)} and KeyUsage ${String(KeyUsage)}; an Ethereum account needs KeySpec ${REQUIRED_KEY_SPEC} with KeyUsage ${REQUIRED_KEY_USAGE}`,
    });
  }
  if (!SigningAlgorithms?.includes(REQUIRED_SIGNING_ALGORITHM)) {
    throw new KmsAccountError({
      code: "WrongKeyUsage",
      keyId,
      operation: "GetPublicKey",
      message: `KMS key ${keyId} does not offer SigningAlgorithm ${REQUIRED_SIGNING_ALGORITHM} (it offers ${String(SigningAlgorithms)})`,
    });
  }
  if (PublicKey === undefined) {
    throw new KmsAccountError({
      code: "InvalidKmsResponse",
      keyId,
      operation: "GetPublicKey",
      message: `KMS returned no PublicKey for key ${keyId}`,
    });
  }
  try {
    return secp256k1PointFromSpki(PublicKey);
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new KmsAccountError(
      {
        code: error instanceof SpkiCurveError ? "WrongKeySpec" : "InvalidKmsResponse",
        keyId,
        operation: "GetPublicKey",
        message: `KMS key ${keyId} reports KeySpec ${KeySpec} but its public key is unusable: ${error.message}; an Ethereum account needs a ${REQUIRED_KEY_SPEC} key`,
      },
      { cause: error },
    );
  }
}

/** The key is well-formed DER but of another algorithm or curve. */
export class SpkiCurveError extends DerError {
  override name = "SpkiCurveError";
}

/**
 * SubjectPublicKeyInfo ::= SEQUENCE {
 *   algorithm SEQUENCE { id-ecPublicKey, namedCurve secp256k1 },
 *   subjectPublicKey BIT STRING (0 unused bits, 0x04 || X || Y) }   (RFC 5480)
 */
export function secp256k1PointFromSpki(spki: Uint8Array): Hex {
  const [algorithm, subjectPublicKey] = readDerSequence(spki, [DER_TAG.sequence, DER_TAG.bitString]);
  if (algorithm === undefined || subjectPublicKey === undefined) throw new DerError("unreachable: arity checked");
  // AlgorithmIdentifier: the key type OID, then its parameters (the curve OID for EC keys, NULL for RSA).
  const [keyType, parameters] = derChildren(algorithm).map((element) =>
    element.tag === DER_TAG.objectIdentifier ? derObjectIdentifier(element) : `(tag 0x${element.tag.toString(16)})`,
  );
  if (keyType !== OID_EC_PUBLIC_KEY) throw new SpkiCurveError(`the key type is ${describeOid(keyType)}, not an EC key`);
  if (parameters !== OID_SECP256K1)
    throw new SpkiCurveError(`the curve is ${describeOid(parameters)}, not secp256k1 (${OID_SECP256K1})`);
  const [unusedBits, ...point] = subjectPublicKey.content;
  if (unusedBits !== 0) throw new DerError("the public key BIT STRING has unused bits");
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new DerError(
      `the public key is ${point.length} bytes starting 0x${(point[0] ?? 0).toString(16)}, not an uncompressed 65-byte point`,
    );
  }
  return bytesToHex(Uint8Array.from(point));
}

function describeOid(oid: string | undefined): string {
  if (oid === undefined) return "missing";
  const name = KNOWN_OIDS[oid];
  return name === undefined ? oid : `${name} (${oid})`;
}
