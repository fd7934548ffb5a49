/**
 * `npm run rotate-signer -- --dry-run` as a user runs it (through tsx): the
 * whole rotation rehearsed on an anvil fork of the stack's chain, here the
 * local stack's protocol fixture with its key on the kit's KMS endpoint. The
 * real chain and the KMS keys must come out exactly as they went in.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { createPublicClient, http, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKitConfig, type KitConfig } from "../../infra/config";
import { projectRoot, readStackFile } from "../../infra/offline/stack-file";
import { kmsAccount } from "../../lambdas/shared/kms-account/account";
import { readSeller } from "../../tools/rotate-signer/chain";
import { startLocalSellerChain, type LocalSellerChain } from "../../tools/rotate-signer/local-chain";

const run = promisify(execFile);

async function rotateSigner(args: string[], env: Record<string, string>) {
  try {
    const { stdout } = await run(join(projectRoot, "node_modules/.bin/tsx"), ["tools/rotate-signer.ts", ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: `${failed.stdout}\n${failed.stderr}` };
  }
}

describe("rotate-signer --dry-run", () => {
  let config: KitConfig;
  let real: LocalSellerChain;
  beforeAll(async () => {
    config = parseKitConfig(readStackFile("local"));
    real = await startLocalSellerChain(config);
  });
  afterAll(async () => {
    await real?.stop();
  });

  it("rehearses every step on a fork, prints them, records the rehearsal, and changes neither the real chain nor KMS", async () => {
    const client = createPublicClient({ chain: real.anvil.chain, transport: http(real.anvil.rpcUrl) });
    const oldKey = await kmsAccount({ keyId: real.keyArn, client: real.kms.client() });
    /** Everything the rotation would change on the real chain. */
    const realState = async () => ({
      block: await client.getBlockNumber(),
      assistant: (
        await readSeller(client as Parameters<typeof readSeller>[0], config.protocol.diamond, BigInt(config.seller.id))
      ).seller.assistant,
      oldKeyBalance: await client.getBalance({ address: oldKey.address }),
      oldKeyNonce: await client.getTransactionCount({ address: oldKey.address }),
      adminNonce: await client.getTransactionCount({ address: config.seller.admin }),
    });
    const before = await realState();
    expect(before.assistant).toBe(oldKey.address);
    real.kms.resetCounters();
    const reports = mkdtempSync(join(tmpdir(), "rotation-rehearsal-"));

    const result = await rotateSigner(
      ["--stack", "local", "--dry-run", "--rpc", real.anvil.rpcUrl, "--key", `g1=${real.keyArn}`, "--reports", reports],
      {
        AWS_ENDPOINT_URL_KMS: real.kms.url,
        AWS_ACCESS_KEY_ID: "AKIDLOCALTEST",
        AWS_SECRET_ACCESS_KEY: "local-test-secret",
        AWS_REGION: config.aws.region,
      },
    );

    expect(result.code, result.stdout).toBe(0);
    const steps = [...result.stdout.matchAll(/^next: ([a-z-]+):/gm)].map((match) => match[1]);
    expect(steps).toEqual(["new-key", "update-seller", "opt-in", "move-gas", "switch-jobs"]);
    expect(result.stdout).toContain("pulumi config set --path 'boson-kit:signer.pendingGeneration' 2 --stack local");
    const printed =
      /the admin smart account (0x[0-9a-fA-F]{40}) sends: to (0x[0-9a-fA-F]{40}), value 0, data 0x[0-9a-f]+/.exec(
        result.stdout,
      );
    expect(printed?.slice(1, 3)).toEqual([config.seller.admin, config.protocol.diamond]);
    const pinned = /boson-kit:signer\.address' (0x[0-9a-fA-F]{40}) --stack local/.exec(result.stdout)?.[1] as Address;
    expect(pinned).toMatch(/^0x/);
    expect(pinned).not.toBe(oldKey.address);
    expect(result.stdout).toContain("it would disable generation 1's key, the live key is not touched");
    expect(result.stdout).toContain("rotation complete: every step is done");

    // The real chain: no block, no transaction, the same assistant and gas.
    expect(await realState()).toEqual(before);
    // KMS: read only. No key created, none signed with, the live key still enabled.
    const calls = real.kms.calls();
    expect(calls.CreateKey).toBe(0);
    expect(calls.Sign).toBe(0);
    expect(calls.GetPublicKey).toBeGreaterThan(0);
    const { KeyMetadata } = await real.kms.client().send(new DescribeKeyCommand({ KeyId: real.keyArn }));
    expect(KeyMetadata?.KeyState).toBe("Enabled");

    const record = JSON.parse(readFileSync(join(reports, "local", "rotation-rehearsal.json"), "utf8")) as {
      complete: boolean;
      fork: boolean;
      steps: { id: string; done: boolean }[];
    };
    expect(record).toMatchObject({ complete: true, fork: true });
    expect(record.steps.every((step) => step.done)).toBe(true);
  });

  it("for the local stack without --rpc, forks the local protocol fixture it starts itself", async () => {
    const reports = mkdtempSync(join(tmpdir(), "rotation-rehearsal-"));
    const result = await rotateSigner(["--stack", "local", "--dry-run", "--reports", reports], {});
    expect(result.code, result.stdout).toBe(0);
    expect([...result.stdout.matchAll(/^next: ([a-z-]+):/gm)].map((match) => match[1])).toEqual([
      "new-key",
      "update-seller",
      "opt-in",
      "move-gas",
      "switch-jobs",
    ]);
    expect(result.stdout).toContain("rotation complete: every step is done");
  });

  it("refuses a dry run of a real stack without --rpc: it has nothing to fork", async () => {
    const result = await rotateSigner(["--stack", "staging", "--dry-run"], {});
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("--rpc is required for stack staging");
  });
});
