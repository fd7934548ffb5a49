/**
 * Errors of the KMS-backed account. Each names the key and says what is wrong
 * and what to do; none ever carries a digest, a signature or a transaction.
 */

export type KmsAccountErrorCode =
  /** NotFoundException: no such key, or it is in another account or region. */
  | "KeyNotFound"
  /** DisabledException. */
  | "KeyDisabled"
  /** KMSInvalidStateException while the key is scheduled for deletion. */
  | "KeyPendingDeletion"
  /** KMSInvalidStateException for any other state (pending import, unavailable, ...). */
  | "KeyInvalidState"
  /** The key is not ECC_SECG_P256K1, or its public key is not a secp256k1 point. */
  | "WrongKeySpec"
  /** The key's usage is not SIGN_VERIFY (or KMS said InvalidKeyUsageException). */
  | "WrongKeyUsage"
  /** AccessDeniedException: the caller's role may not call this operation on the key. */
  | "AccessDenied"
  /** Still throttled after the retry budget. */
  | "Throttled"
  /** Transient network or server errors outlasted the retry budget. */
  | "Unavailable"
  /** KMS answered 200 with something we cannot use (malformed DER, missing field, bad signature). */
  | "InvalidKmsResponse"
  /** Any other KMS error. */
  | "KmsRequestFailed";

export type KmsOperationName = "GetPublicKey" | "Sign" | "DescribeKey";

export class KmsAccountError extends Error {
  override name = "KmsAccountError";
  readonly code: KmsAccountErrorCode;
  readonly keyId: string;
  readonly operation: KmsOperationName;

  constructor(
    parameters: { code: KmsAccountErrorCode; keyId: string; operation: KmsOperationName; message: string },
    options?: { cause?: unknown },
  ) {
    super(parameters.message, options);
    this.code = parameters.code;
    this.keyId = parameters.keyId;
    this.operation = parameters.operation;
  }
}

/**
 * The standby stack is switched on (its fence alias resolves in the replica's
 * region): this stack's run signs nothing, so two regions never send at once.
 */
export class StandbyActiveError extends Error {
  override name = "StandbyActiveError";
  constructor(readonly aliasArn: string) {
    super(
      `the standby stack is switched on (${aliasArn} exists): this run signs nothing; to hand back, switch the standby off (README, regional outage runbook)`,
    );
  }
}

type AwsErrorShape = {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
};

/**
 * Node socket errors and SDK timeout names that mean "try again", the same
 * lists the SDK's own retry strategy uses (@smithy/service-error-classification,
 * which is not a direct dependency, so it is mirrored here).
 */
const TRANSIENT_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN"]);
const TRANSIENT_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
/** KMS documents these as retryable. */
const RETRYABLE_KMS_NAMES = new Set(["KMSInternalException", "DependencyTimeoutException", "KeyUnavailableException"]);
const TRANSIENT_STATUSES = new Set([500, 502, 503, 504]);

export function isThrottlingError(error: unknown): boolean {
  const { name, $metadata } = shape(error);
  return name === "ThrottlingException" || name === "TooManyRequestsException" || $metadata?.httpStatusCode === 429;
}

/** Throttling, network failures and KMS's retryable server errors. */
export function isRetryableKmsError(error: unknown): boolean {
  if (isThrottlingError(error)) return true;
  const { name, code, $metadata } = shape(error);
  return (
    (typeof code === "string" && TRANSIENT_CODES.has(code)) ||
    (typeof name === "string" && (TRANSIENT_NAMES.has(name) || RETRYABLE_KMS_NAMES.has(name))) ||
    TRANSIENT_STATUSES.has($metadata?.httpStatusCode ?? 0)
  );
}

/** Turns a KMS (SDK) error into a KmsAccountError that says what to do. */
export function toKmsAccountError(
  error: unknown,
  context: { keyId: string; operation: KmsOperationName },
): KmsAccountError {
  if (error instanceof KmsAccountError) return error;
  const { keyId, operation } = context;
  const { name, message } = shape(error);
  const detail = typeof message === "string" && message !== "" ? ` (KMS: ${message})` : "";
  const make = (code: KmsAccountErrorCode, text: string) =>
    new KmsAccountError({ code, keyId, operation, message: text }, { cause: error });
  switch (name) {
    case "NotFoundException":
      return make(
        "KeyNotFound",
        `KMS key ${keyId} was not found: check KEY_ID and that the Lambda runs in the key's account and region`,
      );
    case "DisabledException":
      return make("KeyDisabled", `KMS key ${keyId} is disabled: enable it (kms:EnableKey) before signing`);
    case "KMSInvalidStateException":
      return /pending deletion/i.test(String(message))
        ? make(
            "KeyPendingDeletion",
            `KMS key ${keyId} is pending deletion: cancel the deletion (kms:CancelKeyDeletion) and enable it, or point KEY_ID at another key`,
          )
        : make("KeyInvalidState", `KMS key ${keyId} is not in a state that allows ${operation}${detail}`);
    case "InvalidKeyUsageException":
      return make(
        "WrongKeyUsage",
        `KMS key ${keyId} cannot ${operation}: the account needs a key with KeyUsage SIGN_VERIFY and SigningAlgorithm ECDSA_SHA_256${detail}`,
      );
    case "UnsupportedOperationException":
      return make(
        "WrongKeySpec",
        `KMS key ${keyId} does not support ${operation}: the account needs an asymmetric ECC_SECG_P256K1 key${detail}`,
      );
    case "AccessDeniedException":
      return make(
        "AccessDenied",
        `Access denied to kms:${operation} on KMS key ${keyId}: grant the caller's role kms:${operation} on this key${detail}`,
      );
    default:
      return make(
        "KmsRequestFailed",
        `KMS ${operation} failed for key ${keyId}: ${typeof name === "string" ? name : "unknown error"}${detail}`,
      );
  }
}

/** The error for a retry budget that ran out. */
export function retriesExhaustedError(
  lastError: unknown,
  context: {
    keyId: string;
    operation: KmsOperationName;
    attempts: number;
    elapsedMs: number;
    reason: "attempts" | "time";
  },
): KmsAccountError {
  const { keyId, operation, attempts, elapsedMs, reason } = context;
  const throttled = isThrottlingError(lastError);
  const budget = reason === "attempts" ? "attempt limit" : "time limit";
  const { name } = shape(lastError);
  const what = throttled
    ? "was still throttled"
    : `kept failing (${typeof name === "string" ? name : "network error"})`;
  const advice = throttled
    ? "raise the KMS request quota or lower the job's signing concurrency"
    : "KMS or the network to it is unavailable; the job can retry later";
  return new KmsAccountError(
    {
      code: throttled ? "Throttled" : "Unavailable",
      keyId,
      operation,
      message: `KMS ${operation} on key ${keyId} ${what} after ${attempts} attempt(s) over ${Math.round(elapsedMs)} ms (${budget} reached): ${advice}`,
    },
    { cause: lastError },
  );
}

function shape(error: unknown): AwsErrorShape {
  return typeof error === "object" && error !== null ? (error as AwsErrorShape) : {};
}
