import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../infra/offline/stack-file";

/**
 * Checklist H4: SDK and contract ABI versions are pinned to one release. Every
 * dependency is an exact version, Boson's above all, and the lockfile agrees.
 */

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

interface Lockfile {
  packages: Record<string, { version?: string }>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(join(projectRoot, file), "utf8")) as T;
const exactVersion = /^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/;

/** Dependencies given as a range (^, ~, *, x, >=, tags, URLs): anything but an exact version. */
function rangedDependencies(manifest: PackageJson): string[] {
  return Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })
    .filter(([, version]) => !exactVersion.test(version))
    .map(([name, version]) => `${name}@${version}`);
}

describe("dependency pinning (H4)", () => {
  const manifest = readJson<PackageJson>("package.json");
  const lockfile = readJson<Lockfile>("package-lock.json");
  const boson = Object.entries({ ...manifest.dependencies, ...manifest.devDependencies }).filter(([name]) =>
    name.startsWith("@bosonprotocol/"),
  );

  it("recognises a range as unpinned", () => {
    expect(rangedDependencies({ dependencies: { "@bosonprotocol/common": "^1.32.2", viem: "2.57.20" } })).toEqual([
      "@bosonprotocol/common@^1.32.2",
    ]);
  });

  it("pins every dependency to an exact version", () => {
    expect(rangedDependencies(manifest)).toEqual([]);
  });

  it("uses @bosonprotocol/common, pinned, and the lockfile installs exactly that version", () => {
    expect(boson.map(([name]) => name)).toContain("@bosonprotocol/common");
    for (const [name, version] of boson) {
      expect(version).toMatch(exactVersion);
      expect(lockfile.packages[`node_modules/${name}`]?.version).toBe(version);
    }
  });
});
