/** What stands in for a module the bundles leave out (infra/build/left-out-modules.ts). */
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { leftOutModules, leftOutModuleSource } from "../../infra/build/left-out-modules";

function load(source: string): Record<string | symbol, unknown> {
  const module = { exports: {} as Record<string | symbol, unknown> };
  runInNewContext(source, { module, Proxy, Set, Error });
  return module.exports;
}

describe("left-out modules", () => {
  it.each(leftOutModules.map((module) => [module.specifier, module]))(
    "%s: a loader may look at it, any use throws naming the module and why it is left out",
    (_specifier, module) => {
      const stand = load(leftOutModuleSource(module));
      expect(stand.__esModule).toBeUndefined();
      expect(stand.default).toBeUndefined();
      expect(stand[Symbol.toPrimitive]).toBeUndefined();
      expect(Object.keys(stand)).toEqual([]);
      expect(() => stand.google).toThrow(
        `${module.specifier} is left out of this bundle (infra/build/left-out-modules.ts: ${module.reason}): read google`,
      );
    },
  );
});
