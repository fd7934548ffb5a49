import { Logger } from "@aws-lambda-powertools/logger";
import type { JobName } from "../../contract";
import { redactingReplacer } from "./redact";

/**
 * The jobs' structured logger (checklist B1, C1): Powertools Logger (JSON,
 * X-Ray trace id from the Lambda environment, cold start, request id) with
 * the kit's redaction as its JSON replacer, so no record can carry a private
 * key, a signature or a whole transaction, however deeply nested.
 */
export function createJobLogger(job: JobName | "shipper", persistentKeys: Record<string, string> = {}): Logger {
  return new Logger({
    serviceName: job,
    jsonReplacerFn: redactingReplacer,
    persistentKeys,
  });
}

/** The external systems a job calls; each call is one log record. */
export type ToolName = "rpc" | "kms" | "subgraph" | "webhook" | "relayer" | "dynamodb" | "secrets";

/** One record per tool call (B1): what was called, for which exchange or request, how it went. */
export interface ToolCallRecord {
  readonly tool: ToolName;
  readonly operation: string;
  readonly exchangeId?: string;
  readonly requestId?: string;
  readonly txHash?: string;
  readonly durationMs: number;
  readonly outcome: "ok" | "transient" | "failed";
  /** A decoded revert or error summary; never raw payloads. */
  readonly error?: unknown;
  /** Anything else worth searching by (block numbers, counts); redacted like the rest. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Logs one tool call: `info` when it worked, `warn` when transient, `error` when it failed. */
export function logToolCall(logger: Logger, record: ToolCallRecord): void {
  const message = `${record.tool}.${record.operation}`;
  const attributes = { toolCall: record };
  if (record.outcome === "ok") logger.info(message, attributes);
  else if (record.outcome === "transient") logger.warn(message, attributes);
  else logger.error(message, attributes);
}

/** Times `call` and logs it as one tool-call record, rethrowing its error after logging it. */
export async function withToolCall<T>(
  logger: Logger,
  base: Omit<ToolCallRecord, "durationMs" | "outcome" | "error">,
  call: () => Promise<T>,
  enrich: (result: T) => Partial<ToolCallRecord> = () => ({}),
): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    logToolCall(logger, {
      ...base,
      ...enrich(result),
      durationMs: Math.round(performance.now() - started),
      outcome: "ok",
    });
    return result;
  } catch (error) {
    logToolCall(logger, { ...base, durationMs: Math.round(performance.now() - started), outcome: "failed", error });
    throw error;
  }
}
