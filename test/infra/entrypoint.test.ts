import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { readStackFile, projectRoot } from "../../infra/offline/stack-file";

/**
 * `pulumi up` loads infra/index.ts through the CLI's own ts-node and hands
 * the stack's config over as strings, with the secret keys named. These tests
 * run the entrypoint that way (test/harness/pulumi-entrypoint.cjs), so
 * `loadKitConfig` (deploy mode) is proven as the CLI would call it.
 */

const run = promisify(execFile);
const secretKeys = ["boson-kit:rpcPrimaryUrl", "boson-kit:rpcFallbackUrl"];
/** A CI session of the production stack's deployer role, as GetCallerIdentity returns it. */
const deployerSession = "arn:aws:sts::123456789012:assumed-role/boson-kit-deployer/ci-1234";

/** The production stack's config as the engine passes it: every value a string, objects as JSON. */
function engineConfig(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const values = Object.entries(readStackFile("production").values).map(([key, value]) => [
    key,
    typeof value === "string" ? value : JSON.stringify(value),
  ]);
  const merged: Record<string, string | undefined> = {
    ...Object.fromEntries(values),
    "boson-kit:rpcPrimaryUrl": "https://rpc.test.invalid/not-a-real-key",
    "boson-kit:rpcFallbackUrl": "https://fallback.test.invalid/not-a-real-key",
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

async function entrypoint(
  config: Record<string, string>,
  secrets: readonly string[] = secretKeys,
  caller = deployerSession,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["test/harness/pulumi-entrypoint.cjs", "production", JSON.stringify(config), JSON.stringify(secrets), caller],
      {
        cwd: projectRoot,
        timeout: 230_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("the Pulumi entrypoint under the CLI's ts-node (deploy mode)", () => {
  // Each run compiles the whole program with the CLI's ts-node: minutes on a loaded machine.
  const tsNodeTimeout = 240_000;

  it(
    "type-checks, reads the engine's config and exports the stack outputs",
    async () => {
      const result = await entrypoint(engineConfig());
      expect(result.stderr).not.toMatch(/error/i);
      expect(result.code).toBe(0);
      const outputs = JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
      expect(outputs.configId).toBe("production-137-0");
      expect(outputs.assistantAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
      expect(outputs.rpcEgressIps).toHaveLength(2);
      // The RPC URLs are never a stack output.
      expect(result.stdout).not.toContain("not-a-real-key");
    },
    tsNodeTimeout,
  );

  it(
    "refuses a caller who is not a deployer in one line with the fix, before declaring anything",
    async () => {
      const result = await entrypoint(
        engineConfig(),
        secretKeys,
        "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Developer_0123abcd/alice",
      );
      expect(result.code).not.toBe(0);
      expect(result.stdout.trim()).toBe("");
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/refusing to deploy production: .* is not in boson-kit:deployers/);
      expect(lines[0]).toContain(
        "pulumi config set --path 'boson-kit:deployers[1]' arn:aws:iam::123456789012:role/<path/>AWSReservedSSO_Developer_0123abcd --stack production",
      );
    },
    tsNodeTimeout,
  );

  it(
    "refuses a missing RPC secret with the command that sets it",
    async () => {
      const result = await entrypoint(engineConfig({ "boson-kit:rpcPrimaryUrl": undefined }), [
        "boson-kit:rpcFallbackUrl",
      ]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("boson-kit:rpcPrimaryUrl");
      expect(result.stderr).toContain("pulumi config set --secret boson-kit:rpcPrimaryUrl");
    },
    tsNodeTimeout,
  );

  it(
    "refuses an RPC URL set in plaintext, without echoing it",
    async () => {
      const result = await entrypoint(engineConfig(), ["boson-kit:rpcFallbackUrl"]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("is stored in plaintext");
      expect(result.stderr).not.toContain("not-a-real-key");
    },
    tsNodeTimeout,
  );
});
