import { loadBootstrapConfig } from "./config";
import { bootstrapProgram } from "./program";

export = bootstrapProgram(loadBootstrapConfig());
