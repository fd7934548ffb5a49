import type { KitConfig } from "./config";

/**
 * The kit's composition root: config -> components -> stack outputs. Kept
 * apart from `index.ts` (the Pulumi entrypoint) so the offline plan, the
 * review and the tests evaluate exactly the program `pulumi up` runs, with a
 * config they read from the stack file.
 */
export function kitProgram(config: KitConfig): Record<string, unknown> {
  return {
    configId: config.configId,
    chainId: config.chain.id,
    protocolDiamond: config.protocol.diamond,
  };
}
