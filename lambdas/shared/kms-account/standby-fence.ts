/**
 * Reads the standby fence: DescribeKey on the fence alias's ARN in the
 * replica key's region. An alias resolves to its key (KMS authorises the call
 * on that key); an alias that does not exist answers NotFoundException.
 */
import { DescribeKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { callKms } from "./client";
import { KmsAccountError, type KmsAccountErrorCode } from "./errors";
import type { RetryPolicy } from "../runtime/retry";

export type StandbyFenceReading =
  /** The alias resolves: the standby stack is switched on. */
  | { state: "standby-active"; keyArn: string }
  /** No such alias: the standby is off. */
  | { state: "clear" }
  /** The replica's region did not answer: a standby there cannot send either. */
  | { state: "unreachable"; reason: KmsAccountErrorCode };

/** Short: the check runs before every run, and an unreachable region must not eat the run's time. */
export const standbyFenceRetryPolicy: RetryPolicy = {
  maxAttempts: 2,
  maxElapsedMs: 3_000,
  baseDelayMs: 100,
  maxDelayMs: 500,
};

/** Only a region that does not answer: a throttled one is up, and a standby there could be sending. */
const REGION_DOWN: ReadonlySet<KmsAccountErrorCode> = new Set(["Unavailable"]);

/**
 * Any other failure (access denied, throttling past the retries, a malformed ARN) is thrown: the fence
 * cannot be read for a reason a person must fix, and signing blind could let
 * two regions send at once.
 */
export async function readStandbyFence(parameters: {
  client: KMSClient;
  aliasArn: string;
  retryPolicy?: RetryPolicy;
}): Promise<StandbyFenceReading> {
  const { client, aliasArn, retryPolicy = standbyFenceRetryPolicy } = parameters;
  try {
    const output = await callKms(
      (abortSignal) => client.send(new DescribeKeyCommand({ KeyId: aliasArn }), { abortSignal }),
      { keyId: aliasArn, operation: "DescribeKey", retryPolicy },
    );
    return { state: "standby-active", keyArn: output.KeyMetadata?.Arn ?? aliasArn };
  } catch (error) {
    if (error instanceof KmsAccountError && error.code === "KeyNotFound") return { state: "clear" };
    if (error instanceof KmsAccountError && REGION_DOWN.has(error.code))
      return { state: "unreachable", reason: error.code };
    throw error;
  }
}
