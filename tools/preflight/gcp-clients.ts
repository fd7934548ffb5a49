import { v2 as loggingV2 } from "@google-cloud/logging-api";
import { ServiceUsageClient } from "@google-cloud/service-usage";
import { auth as googleAuth, iam, type iam_v1 } from "@googleapis/iam";

/**
 * The Google clients preflight reads with, all over REST: Service Usage and
 * the Logging config service are gax clients in their HTTP/JSON mode
 * (`fallback: "rest"`, no gRPC channel), the IAM workload identity pools come
 * from the discovery-based `@googleapis/iam` (no gax client publishes them).
 */
export interface GcpClients {
  readonly serviceUsage: ServiceUsageClient;
  readonly logging: loggingV2.ConfigServiceV2Client;
  readonly iam: iam_v1.Iam;
}

/**
 * Typed by shape: each Google package nests its own google-auth-library,
 * whose class types differ although they behave alike.
 */
export interface GoogleAuthClient {
  getRequestHeaders(url?: string): Promise<unknown>;
  /** What the gax clients call in REST mode. */
  fetch(...args: unknown[]): Promise<unknown>;
  /** What the discovery-based clients call. */
  request(options: object): Promise<unknown>;
}

export interface GcpClientOptions {
  /** A local stand-in (tests): `http://127.0.0.1:<port>`. Unset means Google's public endpoints. */
  readonly endpoint?: { readonly host: string; readonly port: number };
  /** Unset means Application Default Credentials (`gcloud auth application-default login`). */
  readonly authClient?: GoogleAuthClient;
}

const cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

export function createGcpClients(options: GcpClientOptions = {}): GcpClients {
  const endpoint = options.endpoint
    ? { apiEndpoint: options.endpoint.host, port: options.endpoint.port, protocol: "http" }
    : {};
  // The gax option types name their own google-auth-library's AuthClient; the shape is what they call.
  const gaxAuth = options.authClient ? { authClient: options.authClient as never } : {};
  const gaxOptions = { fallback: "rest" as const, ...endpoint, ...gaxAuth };
  return {
    serviceUsage: new ServiceUsageClient(gaxOptions),
    logging: new loggingV2.ConfigServiceV2Client(gaxOptions),
    iam: iam({
      version: "v1",
      ...(options.endpoint ? { rootUrl: `http://${options.endpoint.host}:${options.endpoint.port}/` } : {}),
      // Same reason as above: googleapis-common names its own OAuth2Client type.
      auth: options.authClient
        ? (options.authClient as never)
        : new googleAuth.GoogleAuth({ scopes: [cloudPlatformScope] }),
    }),
  };
}

/** Ends the gax clients' channels so the process can exit. */
export async function closeGcpClients(clients: GcpClients): Promise<void> {
  await Promise.all([clients.serviceUsage.close(), clients.logging.close()]);
}
