/**
 * The bundles carry the `*.abi.ts` modules' values computed at build time
 * (infra/build/build-time-data.ts). What a bundle carries must be exactly
 * what the source computes: each module is bundled through the infra's own
 * build options, run, and compared with the module imported as source.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { runInThisContext } from "node:vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { asDataModule, buildTimeModulePattern } from "../../infra/build/build-time-data";
import { entryBuildOptions } from "../../infra/build/bundle";

const root = join(__dirname, "..", "..");

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const buildTimeModules = filesUnder(join(root, "lambdas")).filter((file) => buildTimeModulePattern.test(file));

/** The module as a job bundle carries it: built with the jobs' options, then run. */
async function asBundled(file: string): Promise<{ code: string; exports: Record<string, unknown> }> {
  const { outputFiles } = await build({ ...entryBuildOptions(file, "build-time-data-test"), sourcemap: false });
  const code = outputFiles.find((output) => output.path.endsWith(".js"))?.text ?? "";
  const module = { exports: {} as Record<string, unknown> };
  (runInThisContext(`(function (module, exports, require) {${code}\n})`) as (...args: unknown[]) => void)(
    module,
    module.exports,
    require,
  );
  return { code, exports: module.exports };
}

describe("values computed at build time", () => {
  it("covers the protocol's and the watcher's ABIs", () => {
    expect(buildTimeModules.map((file) => relative(root, file)).sort()).toEqual([
      "lambdas/shared/chain/protocol.abi.ts",
      "lambdas/watcher/watched.abi.ts",
    ]);
  });

  it.each(buildTimeModules.map((file) => [relative(root, file), file]))(
    "%s: the bundle carries exactly what the source computes",
    async (_name, file) => {
      const source = (await import(file)) as Record<string, unknown>;
      const bundled = await asBundled(file);
      const exported = Object.keys(source).filter((key) => key !== "default");
      expect(Object.keys(bundled.exports).sort()).toEqual(exported.sort());
      for (const key of exported) expect(bundled.exports[key], key).toStrictEqual(source[key]);
      // Inlined as data: the bundle carries no parser and computes no selector.
      expect(bundled.code).not.toMatch(/parseAbi|keccak/i);
    },
  );

  it("refuses an export that is not JSON data, naming the module and the export", () => {
    expect(() => asDataModule("lambdas/x.abi.ts", { items: [], parse: () => 1 })).toThrow(
      /lambdas\/x\.abi\.ts: export parse is not JSON data/,
    );
    expect(() => asDataModule("lambdas/x.abi.ts", { chainId: 1n })).toThrow(/export chainId is not JSON data/);
    expect(() => asDataModule("lambdas/x.abi.ts", { when: new Date(0) })).toThrow(/export when is not JSON data/);
    expect(asDataModule("lambdas/x.abi.ts", { abi: [{ type: "function", name: "f" }] })).toBe(
      'export const abi = /* @__PURE__ */ JSON.parse("[{\\"type\\":\\"function\\",\\"name\\":\\"f\\"}]");',
    );
  });
});
