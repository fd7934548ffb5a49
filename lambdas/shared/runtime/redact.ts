/**
 * Redaction (checklist C1): no private key, signature, raw or full
 * transaction, or credential-bearing URL leaves a job in a log record. Used
 * as the Powertools Logger's JSON replacer (so it sees every nested value,
 * error objects included) and again by the log shipper before records leave
 * AWS (defence in depth). Hand-written: Powertools has no content-aware
 * redaction, and the rules are Ethereum-specific.
 */

export const redactedMarker = "[redacted]";

/** Keys whose values are secret whatever they hold. */
const secretKeyPattern =
  /^(private_?key|privkey|secret|client_?secret|mnemonic|seed|password|api_?key|hmac|signature|sig|signed_?transaction|serialized_?transaction|raw_?transaction|raw_?tx|signed_?tx|authorization_?list|webhook_?secret|rpc_?(primary|fallback)?_?url)$/i;

/** A 65-byte ECDSA signature (r, s, v) as hex: logged nowhere. */
const signatureHex = /0x[0-9a-fA-F]{130}(?![0-9a-fA-F])/g;

/** Hex blobs longer than a signature are serialized transactions or calldata dumps. */
const longHex = /0x[0-9a-fA-F]{131,}/g;

/** URL paths and queries carry API keys (RPC providers put them there); hosts are kept for debugging. */
const urlWithPath = /\b(https?|wss?):\/\/([^/\s"'?#@]+@)?([^/\s"'?#]+)[/?#][^\s"']*/g;

function normaliseKey(key: string): string {
  return key.replace(/[-\s]/g, "_");
}

/** True for keys that hold secrets by name. */
export function isSecretKey(key: string): boolean {
  return secretKeyPattern.test(normaliseKey(key));
}

/** Removes signatures, raw transactions and URL credentials from a string. */
export function redactString(text: string): string {
  return text
    .replace(signatureHex, `${redactedMarker}:signature`)
    .replace(longHex, `${redactedMarker}:hex`)
    .replace(
      urlWithPath,
      (_match, scheme: string, _userinfo: string | undefined, host: string) => `${scheme}://${host}/${redactedMarker}`,
    );
}

/**
 * A signed transaction object (it has r and s) or a full transaction request
 * (nonce and gas and calldata) is reduced to what a reader needs: its hash.
 */
function isTransactionObject(record: Record<string, unknown>): boolean {
  const signed = "r" in record && "s" in record;
  const full =
    "nonce" in record && ("gas" in record || "gasLimit" in record) && ("input" in record || "data" in record);
  return signed || full;
}

function summariseTransaction(record: Record<string, unknown>): Record<string, unknown> {
  return { redacted: "transaction", ...(typeof record.hash === "string" ? { hash: record.hash } : {}) };
}

/** One step of redaction for `key: value`; containers are handled by the caller's recursion. */
export function redactEntry(key: string, value: unknown): unknown {
  if (key !== "" && isSecretKey(key) && value !== undefined && value !== null) return redactedMarker;
  if (typeof value === "string") return redactString(value);
  if (value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Error)) {
    const record = value as Record<string, unknown>;
    if (isTransactionObject(record)) return summariseTransaction(record);
  }
  return value;
}

/** A JSON.stringify replacer that redacts every nested value (the Powertools Logger's `jsonReplacerFn`). */
export function redactingReplacer(key: string, value: unknown): unknown {
  return redactEntry(key, value);
}

/** Deep-redacts any value, error objects included (their message, stack and cause). */
export function redact(value: unknown, key = "", seen = new WeakSet<object>()): unknown {
  const entry = redactEntry(key, value);
  if (entry === null || typeof entry !== "object") return entry;
  if (seen.has(entry)) return "[circular]";
  seen.add(entry);
  if (Array.isArray(entry)) return entry.map((item) => redact(item, "", seen));
  if (entry instanceof Error) {
    return {
      name: entry.name,
      message: redactString(entry.message),
      ...(entry.stack ? { stack: redactString(entry.stack) } : {}),
      ...(entry.cause !== undefined ? { cause: redact(entry.cause, "cause", seen) } : {}),
    };
  }
  return Object.fromEntries(
    Object.entries(entry).map(([innerKey, inner]) => [innerKey, redact(inner, innerKey, seen)]),
  );
}
