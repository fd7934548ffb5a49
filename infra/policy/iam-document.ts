/**
 * The kit's one reader of IAM, KMS, Secrets Manager and SNS policy documents,
 * reading them the way AWS does: single values and lists are the same thing,
 * `Principal: "*"` and `{ AWS: "*" }` both mean anyone, and action names match
 * case-insensitively with `*` and `?` wildcards. The policy pack, the review,
 * preflight, promote and the plan summary all read policies through it.
 */

export interface Principal {
  /** AWS, Service, Federated or CanonicalUser. */
  readonly kind: string;
  /** As written: an ARN, an account, a service name, or "*" for anyone. */
  readonly id: string;
}

/** Condition operator (StringEquals, ArnLike...) -> condition key -> values, a single value read as a list of one. */
export type Conditions = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

export interface Statement {
  readonly sid: string | undefined;
  readonly effect: "Allow" | "Deny";
  /** Principal or NotPrincipal entries, per kind ("*" for anyone). */
  readonly principals: readonly Principal[];
  readonly notPrincipal: boolean;
  /** Action or NotAction entries. */
  readonly actions: readonly string[];
  readonly notAction: boolean;
  /** Resource or NotResource entries, ARNs as written ("*" in a key policy means "this key"). */
  readonly resources: readonly string[];
  readonly notResource: boolean;
  readonly conditions: Conditions;
  readonly hasCondition: boolean;
}

export type ParsedDocument =
  { readonly ok: true; readonly statements: readonly Statement[] } | { readonly ok: false; readonly error: string };

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

const asText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

function principalsOf(value: unknown): Principal[] {
  if (value === undefined) return [];
  if (typeof value === "string") return [{ kind: "AWS", id: value }];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([kind, ids]) =>
    asList(ids).map((id) => ({ kind, id: asText(id) })),
  );
}

function conditionsOf(value: unknown): Conditions {
  if (value === null || typeof value !== "object") return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([operator, keys]) => [
      operator,
      keys !== null && typeof keys === "object"
        ? Object.fromEntries(
            Object.entries(keys as Record<string, unknown>).map(([k, v]) => [k, asList(v).map(asText)]),
          )
        : {},
    ]),
  );
}

/** One statement as written in a document, read. */
export function readStatement(raw: unknown): Statement {
  const s = (raw ?? {}) as Record<string, unknown>;
  const conditions = conditionsOf(s.Condition);
  return {
    sid: typeof s.Sid === "string" ? s.Sid : undefined,
    effect: s.Effect === "Deny" ? "Deny" : "Allow",
    principals: principalsOf(s.Principal ?? s.NotPrincipal),
    notPrincipal: s.NotPrincipal !== undefined,
    actions: asList(s.Action ?? s.NotAction).map(asText),
    notAction: s.NotAction !== undefined,
    resources: asList(s.Resource ?? s.NotResource).map(asText),
    notResource: s.NotResource !== undefined,
    conditions,
    hasCondition: Object.keys(conditions).length > 0,
  };
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
  return { ok: true, statements: asList((parsed as { Statement: unknown }).Statement).map(readStatement) };
}

/** The statements of a readable policy; none for an unreadable one. */
export function statementsOf(document: unknown): readonly Statement[] {
  const parsed = parsePolicyDocument(document);
  return parsed.ok ? parsed.statements : [];
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

/** True when an Allow statement grants one of `actions`. */
export function allowsAny(statement: Statement, actions: readonly string[]): boolean {
  return statement.effect === "Allow" && grantsAny(statement, actions);
}

/** "*" on its own, or an AWS principal of "*", means anyone. */
export function isWildcardPrincipal(principal: Principal): boolean {
  return principal.id === "*";
}

/** The ids of one kind of principal a statement names ("AWS", "Service"...). */
export function principalIds(statement: Statement, kind: string): string[] {
  return statement.principals.filter((principal) => principal.kind === kind).map((principal) => principal.id);
}

/** The values of one condition key under one operator, e.g. (`StringEquals`, `aws:SourceVpce`). */
export function conditionValues(statement: Statement, operator: string, key: string): readonly string[] {
  return statement.conditions[operator]?.[key] ?? [];
}
