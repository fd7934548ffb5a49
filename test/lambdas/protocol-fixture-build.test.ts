import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureBuild, type CompiledFixture } from "../harness/protocol-fixture";
import { compileSolidity, runSolc, solidityKey, type SolidityArtifact } from "../harness/solc";

/**
 * The protocol fixture's committed artifact (what `npm run dev` and the tests
 * deploy without loading solc) is exactly what solc makes of the sources.
 */
const build = fixtureBuild();
const artifact = JSON.parse(readFileSync(build.artifact, "utf8")) as SolidityArtifact<keyof CompiledFixture>;
const rebuild = "rebuild it: npx tsx test/harness/write-fixture-build.ts";

describe("the protocol fixture's committed build", () => {
  it("is keyed on the current sources, compiler and settings", () => {
    expect(artifact.key, `test/fixtures/protocol-build.json is stale; ${rebuild}`).toBe(solidityKey(build));
  });

  it("holds byte for byte what solc compiles from the sources", () => {
    expect(runSolc(build), `test/fixtures/protocol-build.json differs from solc's output; ${rebuild}`).toEqual(
      artifact.contracts,
    );
  }, 120_000);

  it("is ignored once a source changes: the edited sources are compiled instead", () => {
    const root = mkdtempSync(join(tmpdir(), "fixture-edit-"));
    for (const file of build.files) copyFileSync(join(build.root, file), join(root, file));
    const token = join(root, "FixtureToken.sol");
    writeFileSync(token, `${readFileSync(token, "utf8")}\n// edited\n`);
    const edited = { ...build, root, cacheName: `boson-kit-fixture-edit-${process.pid}` };
    expect(solidityKey(edited)).not.toBe(artifact.key);
    let compiled;
    try {
      compiled = compileSolidity(edited);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(join(tmpdir(), edited.cacheName), { recursive: true, force: true });
    }
    // The comment changes only the metadata hash solc appends to the bytecode.
    expect(compiled.FixtureToken.abi).toEqual(artifact.contracts.FixtureToken.abi);
    expect(compiled.FixtureToken.bytecode).not.toBe(artifact.contracts.FixtureToken.bytecode);
  }, 120_000);
});
