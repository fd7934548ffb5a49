import { readJobEnvironment } from "../shared/environment";

// Placeholder until the withdraw job lands (issue 5): it checks the environment
// contract that infra sets, then refuses to run.
export async function handler(): Promise<void> {
  readJobEnvironment();
  throw new Error("the withdraw job is not implemented yet");
}
