import { isDeepStrictEqual } from "node:util";
import { runInThisContext } from "node:vm";
import { build, type Plugin } from "esbuild";

/**
 * Modules named `*.abi.ts` hold contract ABIs written as human-readable
 * signatures, so viem types every call from them. Parsing ~100 signatures
 * with their structs and hashing every selector costs a job ~20 ms of CPU at
 * each cold start (bench/cold-start.ts), for a result that never changes: the
 * bundle carries that result instead, evaluated here at build time and
 * inlined as JSON. Source and tests still run the modules themselves; a test
 * checks that what the bundle carries deep-equals what the source computes.
 * Such a module may export only JSON data (the build refuses anything else).
 */
export const buildTimeModulePattern = /\.abi\.ts$/;

/** Runs a build-time module (bundled on its own, as CommonJS) and returns its exports. */
export async function evaluateBuildTimeModule(path: string): Promise<Record<string, unknown>> {
  const result = await build({
    entryPoints: [path],
    bundle: true,
    write: false,
    platform: "node",
    format: "cjs",
    target: "node20",
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.text ?? "";
  const module = { exports: {} as Record<string, unknown> };
  const run = runInThisContext(`(function (module, exports, require) {${code}\n})`, { filename: path }) as (
    module: { exports: Record<string, unknown> },
    exports: Record<string, unknown>,
    require: NodeJS.Require,
  ) => void;
  run(module, module.exports, require);
  return module.exports;
}

function jsonOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // a bigint, or a cycle
  }
}

/** The module as the bundle carries it: each export a JSON literal, unused ones dropped by tree shaking. */
export function asDataModule(path: string, exports: Record<string, unknown>): string {
  return Object.entries(exports)
    .map(([name, value]) => {
      const json = jsonOf(value);
      if (json === undefined || !isDeepStrictEqual(JSON.parse(json), value))
        throw new Error(
          `${path}: export ${name} is not JSON data (the bundle would carry another value); export only JSON data from a *.abi.ts module, or rename it`,
        );
      // JSON.parse of a string literal parses faster than the same object literal in JavaScript.
      return `export const ${name} = /* @__PURE__ */ JSON.parse(${JSON.stringify(json)});`;
    })
    .join("\n");
}

export const buildTimeData: Plugin = {
  name: "build-time-data",
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: buildTimeModulePattern }, async ({ path }) => ({
      contents: asDataModule(path, await evaluateBuildTimeModule(path)),
      loader: "js",
    }));
  },
};
