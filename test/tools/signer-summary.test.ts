import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseKitConfig } from "../../infra/config";
import { readStackFile, stackSource } from "../../infra/offline/stack-file";
import { signerSummary } from "../../tools/signer-summary";

describe("the signer lines of the plan and the readiness report", () => {
  const empty = mkdtempSync(join(tmpdir(), "signer-summary-"));

  it("shows the replica region, an unpinned address as known after deploy with the pinning command, and no rehearsal", () => {
    const lines = signerSummary(parseKitConfig(readStackFile("production")), empty);
    expect(lines[0]).toBe("Signer: generation 1 (multi-Region key); replica region: eu-central-1.");
    expect(lines[1]).toMatch(
      /^Pinned signer address: \(known after deploy\)\. After the first `pulumi up`, pin it: pulumi config set --path 'boson-kit:signer\.address'/,
    );
    expect(lines[2]).toMatch(/^Last rotation rehearsal: none recorded/);
  });

  it("shows the pinned address, the standby's state and the last recorded rehearsal", () => {
    const root = mkdtempSync(join(tmpdir(), "signer-summary-"));
    mkdirSync(join(root, "reports", "production-standby"), { recursive: true });
    writeFileSync(
      join(root, "reports", "production-standby", "rotation-rehearsal.json"),
      JSON.stringify({ at: "2026-11-30T10:00:00.000Z", complete: true }),
    );
    const values = structuredClone(readStackFile("production-standby").values) as Record<string, unknown>;
    values["boson-kit:signer"] = { address: "0x00000000000000000000000000000000000000aa" };
    const lines = signerSummary(parseKitConfig(stackSource("production-standby", values)), join(root, "reports"));
    expect(lines[0]).toMatch(
      /^Signer: standby of stack production, signing with its replica key in eu-central-1; schedules OFF/,
    );
    expect(lines[1]).toBe(
      "Pinned signer address: 0x00000000000000000000000000000000000000aa (jobs refuse to sign for any other).",
    );
    expect(lines[2]).toBe("Last rotation rehearsal: 2026-11-30T10:00:00.000Z (complete).");
  });
});
