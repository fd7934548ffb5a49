import type { BaseIssue, ErrorMessage } from "valibot";

/**
 * The message of a refused environment value, without the value. valibot's
 * default messages quote what they refused, and a variable holding the wrong
 * thing may hold a secret (a key pasted into the wrong variable, an API key
 * inside a URL): the error names what was expected, never what was there.
 */
export const withoutReceivedValue: ErrorMessage<BaseIssue<unknown>> = (issue) => {
  const expected = issue.expected === null ? "" : `expected ${issue.expected}`;
  if (issue.input === undefined) return expected ? `missing (${expected})` : "missing";
  return expected || `invalid ${issue.type}`;
};
