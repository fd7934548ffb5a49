import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Logging } from "@google-cloud/logging";

/**
 * Running a replay query (`--run`): only with Google credentials already on
 * this machine. They are looked for in files only (never by probing the GCE
 * metadata server), so without them the tool says what is missing and
 * touches no network.
 */

export type CredentialLookup =
  { readonly found: true; readonly source: string } | { readonly found: false; readonly missing: string };

export function findCredentials(env: NodeJS.ProcessEnv, home: string = homedir()): CredentialLookup {
  const explicit = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (explicit) {
    return existsSync(explicit)
      ? { found: true, source: `GOOGLE_APPLICATION_CREDENTIALS (${explicit})` }
      : { found: false, missing: `GOOGLE_APPLICATION_CREDENTIALS names ${explicit}, which does not exist` };
  }
  const gcloudDir = env.CLOUDSDK_CONFIG ?? join(home, ".config", "gcloud");
  const adc = join(gcloudDir, "application_default_credentials.json");
  if (existsSync(adc)) return { found: true, source: `application default credentials (${adc})` };
  return {
    found: false,
    missing:
      "no Google credentials on this machine: run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS " +
      "to a credential file (user credentials or a workload identity federation configuration; the kit creates no service-account keys). " +
      `Looked for GOOGLE_APPLICATION_CREDENTIALS and ${adc}. The caller needs roles/bigquery.jobUser on the project and roles/bigquery.dataViewer on the dataset.`,
  };
}

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
}

export type QueryRunner = (gcpProject: string, sql: string) => Promise<QueryResult>;

interface BigQueryResponse {
  schema?: { fields?: { name: string }[] };
  rows?: { f: { v: unknown }[] }[];
  jobComplete?: boolean;
  jobReference?: { jobId: string; location?: string };
  errors?: { message: string }[];
}

/**
 * BigQuery's answer when the replay's table or columns do not exist yet. The
 * sink creates the table with the first entry it exports, and the table's
 * schema gains `jsonPayload.toolcall` and `labels.exchangeid` with the first
 * entry that carries them (https://cloud.google.com/logging/docs/export/bigquery):
 * before that, the query fails with `notFound` (404: "Not found: Table ...")
 * or `invalidQuery` (400: "Unrecognized name: labels", "Field name toolcall
 * does not exist in STRUCT<...>"), BigQuery's documented error reasons
 * (https://cloud.google.com/bigquery/docs/error-messages).
 */
export class NothingExportedError extends Error {
  override name = "NothingExportedError";
}

interface BigQueryErrorBody {
  error?: { code?: number; message?: string; errors?: { reason?: string; message?: string }[] };
}

/** The error a failed jobs.query call becomes: NothingExportedError when the table or a column is missing, the error otherwise. */
export function bigQueryFailure(error: unknown): unknown {
  const body = (error as { response?: { data?: BigQueryErrorBody } } | undefined)?.response?.data?.error;
  const reasons = new Set((body?.errors ?? []).map((item) => item.reason));
  const message = body?.message ?? "";
  const tableMissing = reasons.has("notFound") && /^Not found: Table /i.test(message);
  const columnMissing =
    reasons.has("invalidQuery") &&
    /Unrecognized name: (labels|jsonPayload)\b|Field name \w+ does not exist in STRUCT/.test(message);
  return tableMissing || columnMissing ? new NothingExportedError(message) : error;
}

/** Runs standard SQL through the BigQuery REST API (jobs.query), with the machine's application default credentials. */
export const runBigQuery: QueryRunner = async (gcpProject, sql) => {
  try {
    return await queryBigQuery(gcpProject, sql);
  } catch (error) {
    throw bigQueryFailure(error);
  }
};

async function queryBigQuery(gcpProject: string, sql: string): Promise<QueryResult> {
  // The logging client's auth is google-auth-library's GoogleAuth with the Cloud Platform scope.
  const { auth } = new Logging({
    projectId: gcpProject,
    scopes: ["https://www.googleapis.com/auth/bigquery.readonly", "https://www.googleapis.com/auth/cloud-platform"],
  });
  const base = `https://bigquery.googleapis.com/bigquery/v2/projects/${encodeURIComponent(gcpProject)}`;
  let response = (
    await auth.request<BigQueryResponse>({
      url: `${base}/queries`,
      method: "POST",
      data: { query: sql, useLegacySql: false, timeoutMs: 30_000, maxResults: 10_000 },
    })
  ).data;
  while (response.jobComplete === false && response.jobReference) {
    const { jobId, location } = response.jobReference;
    const query = new URLSearchParams({ timeoutMs: "30000", maxResults: "10000", ...(location ? { location } : {}) });
    response = (
      await auth.request<BigQueryResponse>({
        url: `${base}/queries/${encodeURIComponent(jobId)}?${query}`,
        method: "GET",
      })
    ).data;
  }
  if (response.errors?.length) throw new Error(response.errors.map((error) => error.message).join("; "));
  const columns = (response.schema?.fields ?? []).map((field) => field.name);
  const rows = (response.rows ?? []).map((row) =>
    row.f.map((cell) => (cell.v === null || cell.v === undefined ? null : String(cell.v))),
  );
  return { columns, rows };
}

/** A plain text table: one row per tool call, in order. */
export function renderRows(result: QueryResult, maxCell = 60): string {
  if (result.rows.length === 0) return "(no rows)";
  const cells = [result.columns, ...result.rows.map((row) => row.map((cell) => cell ?? ""))].map((row) =>
    row.map((cell) => (cell.length > maxCell ? `${cell.slice(0, maxCell - 3)}...` : cell)),
  );
  const widths = result.columns.map((_, index) => Math.max(...cells.map((row) => (row[index] ?? "").length)));
  return cells
    .map((row) =>
      row
        .map((cell, index) => cell.padEnd(widths[index] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
