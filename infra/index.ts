// The Pulumi entrypoint (Pulumi.yaml `main`): read and validate the stack's
// config, check what AWS would refuse halfway through a deploy (a caller who
// is not a deployer, a concurrency quota too small for the reservations),
// then build the program and export its outputs as the stack outputs.
// Nothing is declared before every check passes.
import { assertCallerMayDeploy } from "./caller-check";
import { assertConcurrencyFits } from "./concurrency-check";
import { loadKitConfig } from "./config";
import { kitProgram } from "./program";

export = (async () => {
  const config = loadKitConfig();
  await assertCallerMayDeploy(config);
  await assertConcurrencyFits(config);
  return kitProgram(config);
})();
