/**
 * Small readers for resource properties as policies receive them: plain JSON
 * with optional fields, where a list may be absent and a number may arrive as
 * a string. Kept here so each rule reads like the sentence it enforces.
 */

export const asString = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

export const asStrings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string" && item !== "") : [];

export function asNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

export const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** AWS-managed keys (alias/aws/sqs, alias/aws/secretsmanager...) are not customer-managed keys. */
export function isCustomerManagedKey(keyId: unknown): boolean {
  const key = asString(keyId);
  return key !== undefined && !/^(arn:aws[a-z-]*:kms:[^:]*:[^:]*:)?alias\/aws\//.test(key);
}

/** A job's name: its `Job` tag, else its Powertools service name, else its resource name. */
export function jobName(props: Record<string, unknown>, resourceName: string): string {
  const tags = asRecord(props.tags);
  const variables = asRecord(asRecord(props.environment).variables);
  return asString(tags.Job) ?? asString(tags.job) ?? asString(variables.POWERTOOLS_SERVICE_NAME) ?? resourceName;
}
