import { cloudLoggingWriter, createLogging } from "../../lambdas/shipper/cloud-logging";
import { createShipperHandler, type ShipperDependencies, type ShipperHandler } from "../../lambdas/shipper/handler";
import { fixedTokenAuthClient, type CloudLoggingEndpoint } from "./cloud-logging-endpoint";

/**
 * The shipper handler writing to the local Cloud Logging endpoint through the
 * shipper's own Cloud Logging client (REST) over plain HTTP, presenting
 * `token` as its access token: one construction for the tests and the bench.
 */
export function localShipper(
  endpoint: Pick<CloudLoggingEndpoint, "host" | "port">,
  token: string,
  dependencies: Omit<ShipperDependencies, "writerFor">,
): ShipperHandler {
  const logging = createLogging(dependencies.target.projectId, {
    authClient: fixedTokenAuthClient(token),
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    protocol: "http",
  });
  return createShipperHandler({
    ...dependencies,
    writerFor: (scope) => cloudLoggingWriter(logging, dependencies.target, scope),
  });
}
