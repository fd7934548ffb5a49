import type { ShippableEntry } from "../../lambdas/shipper/entries";

/**
 * The column paths Cloud Logging gives the entries the shipper writes, in
 * each place the replay reads them (Google's "BigQuery schema for logs"):
 * - the BigQuery export keeps LogEntry field names as they are
 *   (`insertId`, `jsonPayload`), but user-supplied names, in labels and in
 *   structured payloads, are lower-cased, characters other than letters,
 *   digits and `_` become `_`, and leading underscores are dropped
 *   (`jsonPayload.toolCall.tool` is `jsonPayload.toolcall.tool`);
 * - a Log Analytics view names LogEntry fields in snake_case (`insert_id`,
 *   `json_payload`) and keeps `labels` and `json_payload` as JSON, keys as
 *   written.
 * Hand-written because no library publishes these rules; the test derives the
 * paths from entries built by the shipper's own code.
 */

/** A user-supplied field name as the BigQuery export writes it. */
export function bigQueryFieldName(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_]/g, "_")
    .replace(/^_+/, "")
    .toLowerCase();
}

function payloadPaths(prefix: string, value: unknown, rename: (key: string) => string, into: Set<string>): void {
  const item = Array.isArray(value) ? value.find((element) => element !== null && typeof element === "object") : value;
  if (item === null || typeof item !== "object") return;
  for (const [key, child] of Object.entries(item as Record<string, unknown>)) {
    const path = `${prefix}.${rename(key)}`;
    into.add(path);
    payloadPaths(path, child, rename, into);
  }
}

/** LogEntry fields every shipped entry has, by their BigQuery and Log Analytics names. */
const entryFields = {
  bigQuery: [
    "logName",
    "timestamp",
    "receiveTimestamp",
    "severity",
    "insertId",
    "resource",
    "resource.type",
    "labels",
    "trace",
  ],
  logAnalytics: [
    "log_name",
    "timestamp",
    "receive_timestamp",
    "severity",
    "insert_id",
    "resource",
    "resource.type",
    "labels",
    "trace",
  ],
} as const;

/** Column paths of the BigQuery export's table for these entries. */
export function bigQueryColumnPaths(entries: readonly ShippableEntry[]): Set<string> {
  const paths = new Set<string>(entryFields.bigQuery);
  for (const entry of entries) {
    for (const key of Object.keys(entry.metadata.labels)) paths.add(`labels.${bigQueryFieldName(key)}`);
    if (typeof entry.payload === "string") paths.add("textPayload");
    else {
      paths.add("jsonPayload");
      payloadPaths("jsonPayload", entry.payload, bigQueryFieldName, paths);
    }
  }
  return paths;
}

/** Column paths (and JSON paths inside `labels` / `json_payload`) of a Log Analytics view for these entries. */
export function logAnalyticsColumnPaths(entries: readonly ShippableEntry[]): Set<string> {
  const paths = new Set<string>(entryFields.logAnalytics);
  for (const entry of entries) {
    for (const key of Object.keys(entry.metadata.labels)) paths.add(`labels.${key}`);
    if (typeof entry.payload === "string") paths.add("text_payload");
    else {
      paths.add("json_payload");
      payloadPaths("json_payload", entry.payload, (key) => key, paths);
    }
  }
  return paths;
}
