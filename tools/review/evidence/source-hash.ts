import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * A content hash of the sources a test run runs on: the code under test, the
 * tests, their fixtures, the stack files and the lockfile. The recorded run
 * carries it, and the review compares it with the working tree's: file ages
 * mean nothing in a fresh clone, contents do. Reports, sign-offs and docs are
 * left out: writing a report or signing an item must not invalidate a run.
 */

const sourceDirectories = ["infra", "lambdas", "tools", "test"];
const rootFiles = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "vitest.config.mts",
  "eslint.config.mjs",
  "Pulumi.yaml",
];
const skipped = new Set(["node_modules", ".git", "dist", "scratch"]);

function filesUnder(root: string, directory: string): string[] {
  const path = join(root, directory);
  if (!existsSync(path)) return [];
  return readdirSync(path).flatMap((entry) => {
    if (skipped.has(entry)) return [];
    const full = join(path, entry);
    return statSync(full).isDirectory() ? filesUnder(root, relative(root, full)) : [relative(root, full)];
  });
}

/** The files the hash covers, relative to `root`, sorted. */
export function sourceFiles(root: string): string[] {
  const stackFiles = readdirSync(root).filter((file) => /^Pulumi\..+\.yaml$/.test(file));
  return [
    ...sourceDirectories.flatMap((directory) => filesUnder(root, directory)),
    ...rootFiles.filter((file) => existsSync(join(root, file))),
    ...stackFiles,
  ]
    .map((file) => file.split("\\").join("/"))
    .sort();
}

/** sha256 over each file's path and contents, in path order. */
export function sourceHash(root: string): string {
  const hash = createHash("sha256");
  for (const file of sourceFiles(root)) {
    hash
      .update(file)
      .update("\0")
      .update(readFileSync(join(root, file)))
      .update("\0");
  }
  return `sha256:${hash.digest("hex")}`;
}
