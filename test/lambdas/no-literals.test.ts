import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../infra/offline/stack-file";

/**
 * Checklist S4 and H1: Lambda code never hard-codes a configId or a contract
 * address. Jobs read them from the environment that infra sets from the
 * validated stack config, so the same bundle runs in staging and production.
 */

const addressLiteral = /(?<![0-9a-fA-F])0x[0-9a-fA-F]{40}(?![0-9a-fA-F])/g;
const configIdLiteral = /\b(?:local|testing|staging|production)-[0-9]+-[0-9]+\b/g;

interface Literal {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Every address or configId literal in a source text, with its line. */
function findLiterals(file: string, source: string): Literal[] {
  return source.split("\n").flatMap((lineText, index) =>
    [...lineText.matchAll(addressLiteral), ...lineText.matchAll(configIdLiteral)].map((match) => ({
      file,
      line: index + 1,
      text: match[0],
    })),
  );
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs|json)$/.test(entry) ? [path] : [];
  });
}

describe("Lambda sources hold no configId or contract address (S4)", () => {
  it("finds the literals it must refuse", () => {
    const planted = [
      'const diamond = "0x59A4C19b55193D5a2EAD0065c54af4d516E18Cb5";',
      "const id = `production-137-0`;",
      "const hash = '0x" + "ab".repeat(32) + "'; // a 32-byte hash is not an address",
    ].join("\n");
    expect(findLiterals("planted.ts", planted).map((literal) => literal.text)).toEqual([
      "0x59A4C19b55193D5a2EAD0065c54af4d516E18Cb5",
      "production-137-0",
    ]);
  });

  it("scans every file under lambdas/ and finds none", () => {
    const root = join(projectRoot, "lambdas");
    const files = sourceFiles(root);
    expect(files.length).toBeGreaterThan(0);
    const literals = files.flatMap((file) => findLiterals(relative(projectRoot, file), readFileSync(file, "utf8")));
    expect(literals).toEqual([]);
  });
});
