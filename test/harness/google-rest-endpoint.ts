/**
 * A local stand-in for the Google REST reads preflight makes:
 * Service Usage `GET /v1/projects/{p}/services/{api}`, Cloud Logging
 * `GET /v2/projects/{p}/locations/{l}/buckets/{id}` and IAM
 * `GET /v1/projects/{p}/locations/global/workloadIdentityPools/{id}`.
 * It checks the bearer token, answers enums as numbers when the client asks
 * for `enum-encoding=int` (the gax clients in REST mode do) and as names
 * otherwise, and answers errors in Google's JSON shape.
 */
import { startLocalHttp, type LocalHttpServer, type Reply } from "./local-http";

export interface FakeGcpProject {
  readonly project: string;
  readonly projectNumber: string;
  /** The bearer token the stand-in accepts. */
  token: string;
  /** API name -> enabled. Absent means disabled. */
  enabledApis: Set<string>;
  /** When false, every Service Usage call answers 403 SERVICE_DISABLED. */
  serviceUsageEnabled: boolean;
  /** `location/bucketId` -> lifecycle state. */
  buckets: Map<string, "ACTIVE" | "DELETE_REQUESTED">;
  /** poolId -> state. */
  pools: Map<string, "ACTIVE" | "DELETED">;
}

/** Enum numbers from the clients' own protos (google.api.serviceusage.v1.State, google.logging.v2.LifecycleState). */
const serviceStates = { STATE_UNSPECIFIED: 0, DISABLED: 1, ENABLED: 2 } as const;
const lifecycleStates = { LIFECYCLE_STATE_UNSPECIFIED: 0, ACTIVE: 1, DELETE_REQUESTED: 2 } as const;

const statusNames: Record<number, string> = { 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND" };

const json = (status: number, body: unknown): Reply => ({
  status,
  headers: { "content-type": "application/json; charset=UTF-8" },
  body: JSON.stringify(body),
});
const googleError = (status: number, message: string, details?: unknown[]): Reply =>
  json(status, {
    error: { code: status, message, status: statusNames[status] ?? "UNKNOWN", ...(details ? { details } : {}) },
  });

export async function startGoogleRestEndpoint(gcp: FakeGcpProject): Promise<LocalHttpServer> {
  return startLocalHttp((request) => {
    if (request.headers.authorization !== `Bearer ${gcp.token}`)
      return googleError(401, "Request had invalid authentication credentials.");
    if (request.method !== "GET") return googleError(404, `no route ${request.method}`);
    const url = new URL(request.url, "http://127.0.0.1");
    const numericEnums = (url.searchParams.get("$alt") ?? "").includes("enum-encoding=int");
    const enumValue = <T extends Record<string, number>>(values: T, name: keyof T & string) =>
      numericEnums ? values[name] : name;
    const path = decodeURIComponent(url.pathname);
    const projectMatches = (project: string) => project === gcp.project || project === gcp.projectNumber;

    const service = /^\/v1\/projects\/([^/]+)\/services\/([^/]+)$/.exec(path);
    if (service && projectMatches(service[1] ?? "")) {
      if (!gcp.serviceUsageEnabled) {
        return googleError(
          403,
          `Service Usage API has not been used in project ${gcp.projectNumber} before or it is disabled. Enable it and retry.`,
          [
            {
              "@type": "type.googleapis.com/google.rpc.ErrorInfo",
              reason: "SERVICE_DISABLED",
              domain: "googleapis.com",
              metadata: { service: "serviceusage.googleapis.com", consumer: `projects/${gcp.projectNumber}` },
            },
          ],
        );
      }
      const api = service[2] ?? "";
      return json(200, {
        name: `projects/${gcp.projectNumber}/services/${api}`,
        parent: `projects/${gcp.projectNumber}`,
        config: { name: api, title: api },
        state: enumValue(serviceStates, gcp.enabledApis.has(api) ? "ENABLED" : "DISABLED"),
      });
    }

    const bucket = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/buckets\/([^/]+)$/.exec(path);
    if (bucket && projectMatches(bucket[1] ?? "")) {
      const state = gcp.buckets.get(`${bucket[2]}/${bucket[3]}`);
      if (!state) return googleError(404, `Bucket \`${bucket[3]}\` does not exist.`);
      return json(200, {
        name: `projects/${gcp.project}/locations/${bucket[2]}/buckets/${bucket[3]}`,
        retentionDays: 30,
        analyticsEnabled: true,
        lifecycleState: enumValue(lifecycleStates, state),
        createTime: "2026-01-05T10:00:00Z",
        updateTime: "2026-01-05T10:00:00Z",
      });
    }

    const pool = /^\/v1\/projects\/([^/]+)\/locations\/global\/workloadIdentityPools\/([^/]+)$/.exec(path);
    if (pool && projectMatches(pool[1] ?? "")) {
      const state = gcp.pools.get(pool[2] ?? "");
      if (!state) return googleError(404, `Requested entity was not found.`);
      return json(200, {
        name: `projects/${gcp.projectNumber}/locations/global/workloadIdentityPools/${pool[2]}`,
        displayName: "boson-kit",
        state,
        ...(state === "DELETED" ? { expireTime: "2026-12-20T10:00:00Z" } : {}),
      });
    }
    return googleError(404, `no route ${path}`);
  });
}
