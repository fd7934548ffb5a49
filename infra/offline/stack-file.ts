import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError, type ConfigSource } from "../config";

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
    throw new Error(
      `unknown stack "${stack}": ${file} does not exist; committed stacks: ${known.join(", ") || "(none)"}`,
    );
  }
  const parsed = parseDocument(readFileSync(file, "utf8"));
  const [syntaxError] = parsed.errors;
  if (syntaxError) {
    const line = syntaxError.linePos?.[0].line;
    const where = `Pulumi.${stack}.yaml${line === undefined ? "" : `:${line}`}`;
    throw new ConfigError(stack, [
      {
        key: where,
        value: line === undefined ? "(the file)" : `line ${line}`,
        problem: `is not valid YAML: ${syntaxError.message.split("\n")[0] ?? syntaxError.code}`,
        fix: `fix the YAML at ${where} (pulumi config refuses the file too), then run the plan again`,
      },
    ]);
  }
  const document: unknown = parsed.toJS();
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
