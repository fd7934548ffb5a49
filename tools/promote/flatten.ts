/**
 * Flattens nested config or resource inputs into dotted paths with
 * comparable text values, so two stacks can be compared setting by setting.
 */

export function flatten(value: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (node: unknown, path: string) => {
    if (node !== null && typeof node === "object" && !("secure" in node)) {
      const entries = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : Object.entries(node);
      if (entries.length === 0) out.set(path, Array.isArray(node) ? "[]" : "{}");
      for (const [key, inner] of entries) walk(inner, path ? `${path}.${key}` : key);
      return;
    }
    // Encrypted config values are never shown or compared by content.
    out.set(
      path,
      node !== null && typeof node === "object" ? "(secret)" : typeof node === "string" ? node : JSON.stringify(node),
    );
  };
  walk(value, prefix);
  return out;
}

/** Replaces the stack names and configIds in a value, so `alias/kit/staging/x` and `alias/kit/production/x` compare equal. */
export function normalizer(replacements: readonly (readonly [string, string])[]): (text: string) => string {
  const ordered = [...replacements].filter(([from]) => from !== "").sort((a, b) => b[0].length - a[0].length);
  return (text) => ordered.reduce((acc, [from, to]) => acc.split(from).join(to), text);
}
