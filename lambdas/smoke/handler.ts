import { readJobEnvironment } from "../shared/environment";

// Placeholder until the smoke job lands (issue 5): it checks the environment
// contract that infra sets, then refuses to run.
export async function handler(): Promise<void> {
  readJobEnvironment();
  throw new Error("the smoke job is not implemented yet");
}
