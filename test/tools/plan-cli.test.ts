import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../infra/offline/stack-file";

const run = promisify(execFile);

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run plan -- ...` as a user would (through tsx), returning its exit code and output. */
async function plan(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(join(projectRoot, "node_modules/.bin/tsx"), ["tools/plan.ts", ...args], {
      cwd: projectRoot,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("npm run plan", () => {
  let workDir: string;

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), "plan-cli-"));
  });

  it("prints the staging plan, says which secrets are placeholders, and writes --json", async () => {
    const jsonFile = join(workDir, "plan.json");
    const result = await plan("--stack", "staging", "--json", jsonFile);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("configId staging-80002-0");
    expect(result.stdout).toContain("note: secret boson-kit:rpcPrimaryUrl is absent here; the plan uses a placeholder");
    const written = JSON.parse(readFileSync(jsonFile, "utf8")) as { stack: string; resources: unknown[] };
    expect(written.stack).toBe("staging");
    expect(Array.isArray(written.resources)).toBe(true);
  });

  it("exits non-zero for an unknown stack, naming the stacks it knows", async () => {
    const result = await plan("--stack", "qa");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown stack "qa"');
    expect(result.stderr).toContain("production, production-standby, staging");
  });

  it("exits non-zero for an invalid config with the validation message", async () => {
    const broken = readFileSync(join(projectRoot, "Pulumi.production.yaml"), "utf8").replace(
      "boson-kit:configId: production-137-0",
      "boson-kit:configId: staging-80002-0",
    );
    writeFileSync(join(workDir, "Pulumi.production.yaml"), broken);
    const result = await plan("--stack", "production", "--dir", workDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("boson-kit:configId");
    expect(result.stderr).toContain("accepts only configIds starting with production-");
    expect(result.stderr).toContain("fix: pulumi config set");
  });
});
