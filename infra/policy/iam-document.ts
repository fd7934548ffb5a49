/**
 * Reads IAM and KMS policy documents the way AWS does: single values and
 * lists are the same thing, `Principal: "*"` and `{ AWS: "*" }` both mean
 * anyone, and action names match case-insensitively with `*` and `?`
 * wildcards. Policies and the custody report share this reading.
 */

export interface Statement {
  readonly sid: string | undefined;
  readonly effect: "Allow" | "Deny";
  /** Principals as written ("*" for anyone), per kind: AWS, Service, Federated, CanonicalUser. */
  readonly principals: readonly { readonly kind: string; readonly id: string }[];
  readonly notPrincipal: boolean;
  readonly actions: readonly string[];
  readonly notAction: boolean;
  /** Resource ARNs as written ("*" in a key policy means "this key"). */
  readonly resources: readonly string[];
  readonly hasCondition: boolean;
}

export type ParsedDocument =
  { readonly ok: true; readonly statements: readonly Statement[] } | { readonly ok: false; readonly error: string };

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function principalsOf(value: unknown): Statement["principals"] {
  if (value === undefined) return [];
  if (typeof value === "string") return [{ kind: "AWS", id: value }];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([kind, ids]) =>
    asList(ids).map((id) => ({ kind, id: String(id) })),
  );
}

/** Parses a policy given as JSON text (what the provider receives) or as an object. */
export function parsePolicyDocument(document: unknown): ParsedDocument {
  let parsed: unknown = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document);
    } catch (error) {
      return { ok: false, error: `is not valid JSON: ${(error as Error).message}` };
    }
  }
  if (parsed === null || typeof parsed !== "object" || !("Statement" in parsed)) {
    return { ok: false, error: "has no Statement" };
  }
  const statements = asList((parsed as { Statement: unknown }).Statement).map((raw): Statement => {
    const s = (raw ?? {}) as Record<string, unknown>;
    return {
      sid: typeof s.Sid === "string" ? s.Sid : undefined,
      effect: s.Effect === "Deny" ? "Deny" : "Allow",
      principals: principalsOf(s.Principal ?? s.NotPrincipal),
      notPrincipal: s.NotPrincipal !== undefined,
      actions: asList(s.Action ?? s.NotAction).map(String),
      notAction: s.NotAction !== undefined,
      resources: asList(s.Resource ?? s.NotResource).map(String),
      hasCondition: s.Condition !== undefined && s.Condition !== null && Object.keys(s.Condition).length > 0,
    };
  });
  return { ok: true, statements };
}

/** True when an action pattern as written in a policy (`kms:*`, `kms:Sign*`, `*`) grants `action`. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return regex.test(action);
}

/** True when any of the statement's actions grants one of `actions`. */
export function grantsAny(statement: Statement, actions: readonly string[]): boolean {
  if (statement.notAction) return true; // Allow + NotAction grants everything not listed: assume the worst.
  return statement.actions.some((pattern) => actions.some((action) => actionMatches(pattern, action)));
}

/** "*" on its own, or an AWS principal of "*", means anyone. */
export function isWildcardPrincipal(principal: { readonly kind: string; readonly id: string }): boolean {
  return principal.id === "*";
}
