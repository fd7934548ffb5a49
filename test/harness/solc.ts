/**
 * Compiles Solidity test fixtures with solc (npm, in-process). The output is
 * cached in the OS temp directory, keyed by the compiler version and the
 * sources, so only the first test file of a run pays for the compiler.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Abi, Hex } from "viem";

export type CompiledContract = { abi: Abi; bytecode: Hex; deployedBytecode: Hex };

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
export function compileSolidity<Name extends string>(options: {
  root: string;
  files: readonly string[];
  pick: Record<Name, string>;
  /** Cache directory name under the OS temp directory. */
  cacheName: string;
  /** Leads the error when the sources do not compile, e.g. "fixture does not compile". */
  failure: string;
}): Record<Name, CompiledContract> {
  const sources = Object.fromEntries(
    options.files.map((file) => [file, { content: readFileSync(join(options.root, file), "utf8") }]),
  );
  const solc = createRequire(__filename)("solc") as { compile(input: string): string; version(): string };
  const hash = createHash("sha256")
    .update(solc.version())
    .update(JSON.stringify(sources))
    .update(JSON.stringify(options.pick))
    .digest("hex")
    .slice(0, 16);
  const cacheDir = join(tmpdir(), options.cacheName);
  const cacheFile = join(cacheDir, `${hash}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, "utf8")) as Record<Name, CompiledContract>;
  const input = {
    language: "Solidity",
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
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
  const compiled = Object.fromEntries(entries) as Record<Name, CompiledContract>;
  mkdirSync(cacheDir, { recursive: true });
  // Written then renamed, so parallel test files never read a half-written cache.
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(compiled));
  renameSync(temporary, cacheFile);
  return compiled;
}
