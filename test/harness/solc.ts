/**
 * Compiles Solidity test fixtures with solc (npm, in-process). The output is
 * cached in the OS temp directory, keyed by the compiler version and the
 * sources, so only the first test file of a run pays for the compiler. A
 * fixture may also name a committed artifact: when its key matches the
 * sources, solc (seconds to load on a fresh clone) is not loaded at all.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Abi, Hex } from "viem";

export type CompiledContract = { abi: Abi; bytecode: Hex; deployedBytecode: Hex };

/** A committed compiler output: `key` says which sources, compiler and settings produced it. */
export type SolidityArtifact<Name extends string> = { key: string; contracts: Record<Name, CompiledContract> };

export type SolidityBuild<Name extends string> = {
  root: string;
  files: readonly string[];
  pick: Record<Name, string>;
  /** Cache directory name under the OS temp directory. */
  cacheName: string;
  /** Leads the error when the sources do not compile, e.g. "fixture does not compile". */
  failure: string;
  /** A committed artifact (see writeSolidityArtifact), used when its key matches the sources. */
  artifact?: string;
};

const settings = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "cancun",
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
};

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<
    string,
    Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
};

/**
 * Compiles `files` (paths under `root`, which are also their source unit
 * names, so relative imports between them resolve) and returns the contracts
 * named in `pick`, as `{ contract: file }`.
 */
export function compileSolidity<Name extends string>(options: SolidityBuild<Name>): Record<Name, CompiledContract> {
  const key = solidityKey(options);
  if (options.artifact !== undefined && existsSync(options.artifact)) {
    const artifact = JSON.parse(readFileSync(options.artifact, "utf8")) as SolidityArtifact<Name>;
    if (artifact.key === key) return artifact.contracts;
  }
  const cacheDir = join(tmpdir(), options.cacheName);
  const cacheFile = join(cacheDir, `${key}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, "utf8")) as Record<Name, CompiledContract>;
  const compiled = runSolc(options);
  mkdirSync(cacheDir, { recursive: true });
  // Written then renamed, so parallel test files never read a half-written cache.
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(compiled));
  renameSync(temporary, cacheFile);
  return compiled;
}

function readSources(options: Pick<SolidityBuild<string>, "root" | "files">): Record<string, { content: string }> {
  return Object.fromEntries(
    options.files.map((file) => [file, { content: readFileSync(join(options.root, file), "utf8") }]),
  );
}

/**
 * What determines the output: the compiler release (from solc's package.json,
 * so checking a key does not load the compiler), the settings, the sources and
 * the contracts picked.
 */
export function solidityKey(options: Pick<SolidityBuild<string>, "root" | "files" | "pick">): string {
  const solcVersion = (createRequire(__filename)("solc/package.json") as { version: string }).version;
  return createHash("sha256")
    .update(`solc ${solcVersion}\0`)
    .update(JSON.stringify(settings))
    .update(JSON.stringify(readSources(options)))
    .update(JSON.stringify(options.pick))
    .digest("hex")
    .slice(0, 16);
}

/** Compiles with solc now, with no artifact and no cache. */
export function runSolc<Name extends string>(options: SolidityBuild<Name>): Record<Name, CompiledContract> {
  const sources = readSources(options);
  const solc = createRequire(__filename)("solc") as { compile(input: string): string };
  const input = { language: "Solidity", sources, settings };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((error) => error.severity === "error");
  if (errors.length > 0)
    throw new Error(`${options.failure}:\n${errors.map((error) => error.formattedMessage).join("\n")}`);
  const entries = (Object.entries(options.pick) as [Name, string][]).map(([name, file]): [Name, CompiledContract] => {
    const contract = output.contracts[file]?.[name];
    if (!contract) throw new Error(`solc produced no ${name}`);
    return [
      name,
      {
        abi: contract.abi,
        bytecode: `0x${contract.evm.bytecode.object}`,
        deployedBytecode: `0x${contract.evm.deployedBytecode.object}`,
      },
    ];
  });
  return Object.fromEntries(entries) as Record<Name, CompiledContract>;
}

/** Compiles `options` with solc and writes its committed artifact. */
export function writeSolidityArtifact<Name extends string>(options: SolidityBuild<Name> & { artifact: string }): void {
  const artifact: SolidityArtifact<Name> = { key: solidityKey(options), contracts: runSolc(options) };
  writeFileSync(options.artifact, `${JSON.stringify(artifact, null, 1)}\n`);
}
