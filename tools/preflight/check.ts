import type { KitConfig } from "../../infra/config";
import type { AwsClients } from "./aws-clients";
import type { GcpClients } from "./gcp-clients";
import type { StackNeeds } from "./stack-needs";

/**
 * The shape every preflight check shares: it reads the real account and
 * project (never writes) and says, per finding, pass or fail with the fix.
 */

export type CheckStatus = "pass" | "fail" | "info";

export interface CheckResult {
  /** The check's name, as the summary table shows it. */
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found, in one line. */
  readonly detail: string;
  /** For a failure: the command or change that fixes it, in one line. */
  readonly fix?: string;
}

export interface StackFileFacts {
  /** The stack file's `secretsprovider:` value, if any. */
  readonly secretsProvider?: string;
  /** Whether the stack file has `encryptionsalt:` (the passphrase provider). */
  readonly encryptionSalt: boolean;
  /** `aws:allowedAccountIds`, if the stack sets it. */
  readonly allowedAccountIds?: readonly string[];
}

export interface PreflightContext {
  readonly config: KitConfig;
  readonly needs: StackNeeds;
  readonly stackFile: StackFileFacts;
  readonly aws: AwsClients;
  readonly gcp: GcpClients;
}

export interface PreflightCheck {
  readonly name: string;
  /** The read-only permissions the check calls with: the fix when the caller lacks one. */
  readonly permissions: readonly string[];
  run(context: PreflightContext): Promise<CheckResult[]>;
}

export const pass = (check: string, detail: string): CheckResult => ({ check, status: "pass", detail });
export const info = (check: string, detail: string): CheckResult => ({ check, status: "info", detail });
export const fail = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: "fail",
  detail,
  fix,
});

/** An AWS SDK or Google client error's name (`NoSuchEntityException`, `NoSuchEntity`) or HTTP/gRPC code. */
export function errorName(error: unknown): string {
  if (error === null || typeof error !== "object") return String(error);
  const record = error as { name?: unknown; code?: unknown; Code?: unknown };
  if (typeof record.Code === "string") return record.Code;
  if (typeof record.name === "string" && record.name !== "Error") return record.name;
  return String(record.code ?? "Error");
}

/** Google clients report "not found" as HTTP 404 (googleapis) or gRPC code 5 (gax, also in REST mode). */
export function isGoogleNotFound(error: unknown): boolean {
  if (error === null || typeof error !== "object") return false;
  const record = error as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  return record.code === 404 || record.code === 5 || record.status === 404 || record.response?.status === 404;
}
