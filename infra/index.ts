// The Pulumi entrypoint (Pulumi.yaml `main`): read and validate the stack's
// config, build the program, and export its outputs as the stack outputs.
import { loadKitConfig } from "./config";
import { kitProgram } from "./program";

export = kitProgram(loadKitConfig());
