import { defineConfig } from "vitest/config";

// Tests start real local peers (anvil, dynalite, a KMS endpoint), so files run
// in separate processes and get generous timeouts; the machines have 2 cores.
// The infra-side tests only evaluate the Pulumi program under mocks: they
// share one module graph per worker (isolate: false), because importing
// @pulumi/aws costs seconds per file and the program holds no state between
// evaluations. The Lambda tests stay isolated: they start and stop peers.
const domTests = ["test/tools/review-parts.test.ts"];

export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "infra",
          include: ["test/infra/**/*.test.ts", "test/policy/**/*.test.ts", "test/tools/**/*.test.ts", "test/*.test.ts"],
          exclude: domTests,
          isolate: false,
        },
      },
      {
        // Tests that install a DOM (jsdom) on globalThis: isolated, or libraries that
        // probe for `window` (google-gax's REST transport) would take the browser path.
        extends: true,
        test: { name: "dom", include: domTests },
      },
      {
        extends: true,
        test: { name: "lambdas", include: ["test/lambdas/**/*.test.ts"] },
      },
    ],
  },
});
