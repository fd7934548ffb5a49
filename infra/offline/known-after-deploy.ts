/**
 * Offline, a value that exists only after deploy (an address, a key id, an
 * Elastic IP, an account-specific ARN, a project number) is never shown as
 * real: every string that contains a value the mocks made up prints as
 * "(known after deploy)". The plan, the review and their files go through here.
 */

export const knownAfterDeploy = "(known after deploy)";

/** `fabricated` longest first, so the check stays a plain substring test. */
function containsFabricated(text: string, fabricated: readonly string[]): boolean {
  return fabricated.some((made) => text.includes(made));
}

/** A JSON document inside a string (a policy, a dashboard body), parsed; undefined for any other string. */
function embeddedJson(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `value` with every string that contains a made-up value replaced, at any depth (inside embedded JSON too). */
export function withoutFabricated<T>(value: T, fabricated: readonly string[]): T {
  if (typeof value === "string") {
    if (!containsFabricated(value, fabricated)) return value;
    const json = embeddedJson(value);
    return (json === undefined ? knownAfterDeploy : JSON.stringify(withoutFabricated(json, fabricated))) as T;
  }
  if (Array.isArray(value)) return value.map((inner: unknown) => withoutFabricated(inner, fabricated)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, withoutFabricated(inner, fabricated)]),
    ) as T;
  }
  return value;
}

/** Text with every word (a run without spaces, quotes, brackets or separators) that contains a made-up value replaced. */
export function textWithoutFabricated(text: string, fabricated: readonly string[]): string {
  return text.replace(/[^\s"'`<>,;()|[\]{}]+/g, (word) =>
    containsFabricated(word, fabricated) ? knownAfterDeploy : word,
  );
}
