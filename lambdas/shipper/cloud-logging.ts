import { Entry } from "@google-cloud/logging/build/src/entry";
import { version as loggingLibraryVersion } from "@google-cloud/logging/package.json";
import { LoggingServiceV2Client } from "@google-cloud/logging-api";
import type { ShippableEntry } from "./entries";
import type { EntryWriter } from "./ship";

/**
 * The Cloud Logging side of the shipper: `@google-cloud/logging` over its
 * REST transport (HTTP/1.1 `entries:write`; no gRPC channel to keep warm in a
 * Lambda), authenticated by Workload Identity Federation from the shipper's
 * AWS role. Partial success is off, so a request writes all its entries or
 * none, and the library's own retries and bundling are off: the shipper
 * retries, splits and orders batches itself (ship.ts).
 *
 * Of the library it takes the two parts it uses: `Entry` (a record as a
 * LogEntry) and the `LoggingServiceV2Client` that its `Logging` class builds
 * (from @google-cloud/logging-api, the library's own dependency), built here
 * with the options `Logging` gives it. The package index would also load, at
 * every cold start, what the shipper never calls: a second google-gax major
 * with its auth library, @google-cloud/common, sinks, LogSync, and the static
 * protobuf classes of the whole API (bench/cold-start.ts has the figures).
 */

/** Where entries go: one log in one project, on a `generic_task` resource per job and log stream. */
export interface LogTarget {
  readonly projectId: string;
  /** The log id: `projects/<projectId>/logs/<logName>`. */
  readonly logName: string;
  /** AWS region the records come from (the resource's `location`). */
  readonly location: string;
  /** The stack (the resource's `namespace`). */
  readonly namespace: string;
}

export interface MonitoredResource {
  readonly type: "generic_task";
  readonly labels: Readonly<Record<string, string>>;
}

/** What a write to `entries.write` needs besides the entries. */
export interface WriteScope {
  readonly job: string;
  readonly taskId: string;
}

/** The slice of the generated LoggingServiceV2 client the shipper calls. */
export interface LoggingServiceV2 {
  writeLogEntries(
    request: Record<string, unknown>,
    options: Record<string, unknown>,
  ): Promise<unknown> & { cancel?: () => void };
}

/** Options for how the client reaches Cloud Logging; the Lambda passes only `credentials`. */
export interface CloudLoggingClientOptions {
  /** The WIF credential configuration (external_account JSON). */
  readonly credentials?: ClientOptions["credentials"];
  /**
   * An AuthClient in place of `credentials` (tests: a fixed bearer token).
   * Typed structurally: the logging packages each nest their own
   * google-auth-library, whose class types do not match one another.
   */
  readonly authClient?: { getRequestHeaders(url?: string): Promise<unknown> };
  readonly apiEndpoint?: string;
  readonly port?: number;
  /** `http` only for the local test endpoint. */
  readonly protocol?: "https" | "http";
}

type ClientOptions = NonNullable<ConstructorParameters<typeof LoggingServiceV2Client>[0]>;

/** The client `new Logging({ projectId, fallback: true, ...options }).loggingService` would be. */
export function createLogging(projectId: string, options: CloudLoggingClientOptions): LoggingServiceV2 {
  const client: unknown = new LoggingServiceV2Client({
    // What Logging adds: its name and version in the x-goog-api-client header, and the API's scopes.
    libName: "gccl",
    libVersion: loggingLibraryVersion,
    scopes: LoggingServiceV2Client.scopes,
    projectId,
    fallback: true,
    ...options,
  } as ClientOptions);
  // The generated client's overloads, narrowed to the one call the shipper makes.
  return client as LoggingServiceV2;
}

export function monitoredResource(target: LogTarget, scope: WriteScope): MonitoredResource {
  return {
    type: "generic_task",
    labels: {
      project_id: target.projectId,
      location: target.location,
      namespace: target.namespace,
      job: scope.job,
      task_id: scope.taskId,
    },
  };
}

/** A writer for one log stream's entries (one subscription payload). */
export function cloudLoggingWriter(
  service: LoggingServiceV2,
  target: LogTarget,
  scope: WriteScope,
  timeoutMs = 20_000,
): EntryWriter {
  const logName = `projects/${target.projectId}/logs/${encodeURIComponent(target.logName)}`;
  const resource = monitoredResource(target, scope);
  return {
    async write(entries, signal) {
      const request = {
        logName,
        resource,
        partialSuccess: false,
        entries: entries.map((entry) => toLogEntry(entry, target.projectId)),
      };
      const call = service.writeLogEntries(request, {
        timeout: timeoutMs,
        // The shipper owns retries (with its own budget) and batching.
        retry: { retryCodes: [] },
        isBundling: false,
      });
      const abort = () => call.cancel?.();
      signal.addEventListener("abort", abort, { once: true });
      try {
        await call;
      } finally {
        signal.removeEventListener("abort", abort);
      }
    },
  };
}

/** The LogEntry as the client library serialises it (jsonPayload as a protobuf Struct). */
export function toLogEntry(entry: ShippableEntry, projectId: string): Record<string, unknown> {
  const metadata = { ...entry.metadata, labels: { ...entry.metadata.labels } };
  return new Entry(metadata, entry.payload).toJSON({ removeCircular: true }, projectId) as unknown as Record<
    string,
    unknown
  >;
}
