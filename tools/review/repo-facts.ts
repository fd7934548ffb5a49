import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Facts about the repository itself that checklist items rest on: pinned
 * protocol packages (H4) and a strict, enforced type-check (C3).
 */

export interface RepoFacts {
  /** Protocol packages (@bosonprotocol/*) and their version specifiers in package.json. */
  readonly protocolPackages: readonly {
    readonly name: string;
    readonly spec: string;
    readonly locked: string | undefined;
  }[];
  readonly tsStrict: boolean;
  readonly noUncheckedIndexedAccess: boolean;
  /** The `npm test` script, which CI runs. */
  readonly testScript: string;
  readonly lintForbidsAny: boolean;
}

function readJson(path: string): Record<string, unknown> {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>) : {};
}

export function repoFacts(root: string): RepoFacts {
  const pkg = readJson(join(root, "package.json"));
  const lock = readJson(join(root, "package-lock.json"));
  const lockPackages = (lock.packages ?? {}) as Record<string, { version?: string }>;
  const dependencies = {
    ...((pkg.dependencies ?? {}) as Record<string, string>),
    ...((pkg.devDependencies ?? {}) as Record<string, string>),
  };
  const tsconfig = readJson(join(root, "tsconfig.json"));
  const compilerOptions = (tsconfig.compilerOptions ?? {}) as Record<string, unknown>;
  const eslint = existsSync(join(root, "eslint.config.mjs"))
    ? readFileSync(join(root, "eslint.config.mjs"), "utf8")
    : "";
  return {
    protocolPackages: Object.entries(dependencies)
      .filter(([name]) => name.startsWith("@bosonprotocol/"))
      .map(([name, spec]) => ({ name, spec, locked: lockPackages[`node_modules/${name}`]?.version })),
    tsStrict: compilerOptions.strict === true,
    noUncheckedIndexedAccess: compilerOptions.noUncheckedIndexedAccess === true,
    testScript: String(((pkg.scripts ?? {}) as Record<string, string>).test ?? ""),
    lintForbidsAny: /["']@typescript-eslint\/no-explicit-any["']\s*:\s*["']error["']/.test(eslint),
  };
}
