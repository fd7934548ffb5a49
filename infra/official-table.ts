import { envConfigs } from "@bosonprotocol/common";
import bosonCommonPackage from "@bosonprotocol/common/package.json";

/**
 * The official Boson deployment table (checklist H1), read from the pinned
 * `@bosonprotocol/common` package: the only source the kit trusts for a
 * configId's chain, protocol diamond and subgraph.
 */
export interface OfficialDeployment {
  readonly configId: string;
  readonly envName: "local" | "testing" | "staging" | "production";
  readonly chainId: number;
  readonly protocolDiamond: `0x${string}`;
  readonly subgraphUrl: string;
  /** The meta-transaction relayer Boson runs for this deployment (envConfigs' metaTx.relayerUrl), when it has one. */
  readonly metaTxRelayerUrl?: string;
  /** Where the values come from, quoted in errors and reports. */
  readonly source: string;
}

export const officialTableSource = `@bosonprotocol/common@${bosonCommonPackage.version} (envConfigs)`;

function allDeployments(): OfficialDeployment[] {
  return Object.entries(envConfigs).flatMap(([envName, configs]) =>
    configs.map((config) => ({
      configId: config.configId,
      envName: envName as OfficialDeployment["envName"],
      chainId: config.chainId,
      protocolDiamond: config.contracts.protocolDiamond as `0x${string}`,
      subgraphUrl: config.subgraphUrl,
      ...(config.metaTx?.relayerUrl ? { metaTxRelayerUrl: config.metaTx.relayerUrl } : {}),
      source: `${officialTableSource}.${envName} ${config.configId}`,
    })),
  );
}

const deployments = allDeployments();

/** Every configId the official table knows, in table order. */
export const officialConfigIds: readonly string[] = deployments.map((d) => d.configId);

/** The official deployment for a configId, or undefined when the table has none. */
export function officialDeployment(configId: string): OfficialDeployment | undefined {
  return deployments.find((d) => d.configId === configId);
}
