import type { Plugin } from "esbuild";

/**
 * Modules a dependency loads eagerly that no job ever calls, left out of the
 * bundles. Each stands in as an object that throws, naming the module, on
 * any use, so a later change that does need one fails loudly in the bundle
 * tests rather than shipping half a library.
 */
export interface LeftOutModule {
  /** The `require` specifier, as written in the importer. */
  readonly specifier: string;
  /** The importing file (a path suffix under node_modules). */
  readonly importer: RegExp;
  /** Why no job needs it. */
  readonly reason: string;
}

export const leftOutModules: readonly LeftOutModule[] = [
  {
    // 700 KiB of generated protobuf classes for the whole Logging API, re-exported as `protos`.
    specifier: "../protos/protos",
    importer: /node_modules[\\/]@google-cloud[\\/]logging-api[\\/]build[\\/]src[\\/]index\.js$/,
    reason:
      "the shipper writes entries over REST, which encodes from protos.json; nothing reads the static `protos` classes",
  },
  // google-gax's generated classes for the IAM, Locations and long-running Operations APIs (470 KiB), re-exported
  // by its index and fallback; the operations classes are used by long-running calls only.
  ...["../protos/iam_service", "../protos/locations", "../protos/operations", "../../protos/operations"].map(
    (specifier) => ({
      specifier,
      importer:
        /node_modules[\\/]google-gax[\\/]build[\\/]src[\\/](index|fallback|longRunningCalls[\\/]longrunning)\.js$/,
      reason: "the shipper makes one unary call (entries:write): no IAM, Locations or long-running operation call",
    }),
  ),
];

const namespace = "left-out-module";

/** What stands in for a left-out module. Plain property reads that module loaders make are allowed. */
export function leftOutModuleSource(module: LeftOutModule): string {
  const message = JSON.stringify(
    `${module.specifier} is left out of this bundle (infra/build/left-out-modules.ts: ${module.reason})`,
  );
  return [
    "const allowed = new Set(['__esModule', 'default', 'then', 'toJSON']);",
    "module.exports = new Proxy({}, {",
    "  get(target, key) {",
    "    if (typeof key === 'symbol' || allowed.has(key)) return undefined;",
    `    throw new Error(${message} + ': read ' + key);`,
    "  },",
    "});",
  ].join("\n");
}

export const leaveOutModules: Plugin = {
  name: "left-out-modules",
  setup(build) {
    const escaped = leftOutModules.map((module) => module.specifier.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
    build.onResolve({ filter: new RegExp(`^(${escaped.join("|")})$`) }, ({ path, importer }) => {
      const index = leftOutModules.findIndex((module) => module.specifier === path && module.importer.test(importer));
      return index === -1 ? undefined : { path: String(index), namespace };
    });
    build.onLoad({ filter: /.*/, namespace }, ({ path }) => {
      const module = leftOutModules[Number(path)];
      return module ? { contents: leftOutModuleSource(module), loader: "js" } : undefined;
    });
  },
};
