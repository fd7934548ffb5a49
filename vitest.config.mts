import { defineConfig } from "vitest/config";

// Tests start real local peers (anvil, dynalite, a KMS endpoint), so files run
// in separate processes and get generous timeouts; the machines have 2 cores.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
