import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ConfigSource } from "../config";

/** The repository root: where Pulumi.yaml and the stack files live. */
export const projectRoot = join(__dirname, "..", "..");

/** Stacks with a committed `Pulumi.<stack>.yaml`. */
export function committedStacks(root = projectRoot): string[] {
  return readdirSync(root)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/**
 * Reads `Pulumi.<stack>.yaml` as the offline plan and the tests see it:
 * values as written, `secure:` entries kept as they are (encrypted, so the
 * parser substitutes placeholders), and those keys marked secret.
 */
export function readStackFile(stack: string, root = projectRoot): ConfigSource {
  const file = join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    const known = committedStacks(root);
    throw new Error(`unknown stack "${stack}": ${file} does not exist; committed stacks: ${known.join(", ") || "(none)"}`);
  }
  const document: unknown = parse(readFileSync(file, "utf8"));
  const config = (document as { config?: Record<string, unknown> } | null)?.config ?? {};
  return stackSource(stack, config);
}

/** A ConfigSource for offline evaluation from a plain key/value map (a stack file's `config:`). */
export function stackSource(stack: string, values: Record<string, unknown>): ConfigSource {
  const secretKeys = Object.entries(values)
    .filter(([, value]) => typeof value === "object" && value !== null && "secure" in value)
    .map(([key]) => key);
  return { stack, values, secretKeys: new Set(secretKeys), mode: "offline" };
}
