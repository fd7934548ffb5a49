import { grantsAny, isWildcardPrincipal, parsePolicyDocument, type Statement } from "./iam-document";

/**
 * Who can administer and who can sign with a KMS key, read from its key
 * policy. The separation-of-duties policy and the custody section of the
 * readiness report (M3) both use this one reading.
 */

/** Actions that change the key, its policy, its lifecycle or its grants. */
export const administrativeActions = [
  "kms:PutKeyPolicy",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:DisableKey",
  "kms:EnableKey",
  "kms:UpdateKeyDescription",
  "kms:CreateAlias",
  "kms:UpdateAlias",
  "kms:DeleteAlias",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:RevokeGrant",
  "kms:CreateGrant",
  "kms:EnableKeyRotation",
  "kms:DisableKeyRotation",
  "kms:ImportKeyMaterial",
  "kms:DeleteImportedKeyMaterial",
  "kms:ReplicateKey",
  "kms:UpdatePrimaryRegion",
] as const;

/**
 * Actions that produce a signature. `kms:CreateGrant` is here too: whoever
 * may create grants can grant itself `kms:Sign`.
 */
export const signingActions = ["kms:Sign", "kms:CreateGrant"] as const;

export interface KeyRoles {
  /** Principals allowed any administrative action ("AWS:" omitted for IAM ARNs). */
  readonly administrators: readonly string[];
  /** Principals allowed to sign. */
  readonly signers: readonly string[];
  /** True when a statement allows anyone ("*"). */
  readonly wildcard: boolean;
  /** Statements the reading cannot bound (Allow with NotPrincipal), by Sid. */
  readonly unbounded: readonly string[];
  /** Set when the policy could not be read. */
  readonly error?: string;
}

function principalName(principal: Statement["principals"][number]): string {
  return principal.kind === "AWS" ? principal.id : `${principal.kind}:${principal.id}`;
}

export function keyRoles(policy: unknown): KeyRoles {
  if (policy === undefined || policy === null || policy === "") {
    return {
      administrators: [],
      signers: [],
      wildcard: false,
      unbounded: [],
      error: "the key has no explicit key policy",
    };
  }
  const document = parsePolicyDocument(policy);
  if (!document.ok)
    return {
      administrators: [],
      signers: [],
      wildcard: false,
      unbounded: [],
      error: `the key policy ${document.error}`,
    };

  const administrators = new Set<string>();
  const signers = new Set<string>();
  const unbounded: string[] = [];
  let wildcard = false;
  // Deny statements only narrow access; this reading is deliberately conservative and ignores them.
  for (const statement of document.statements.filter((s) => s.effect === "Allow")) {
    if (statement.notPrincipal) unbounded.push(statement.sid ?? "(no Sid)");
    if (statement.principals.some(isWildcardPrincipal)) wildcard = true;
    const names = statement.principals.map(principalName);
    if (grantsAny(statement, administrativeActions)) names.forEach((name) => administrators.add(name));
    if (grantsAny(statement, signingActions)) names.forEach((name) => signers.add(name));
  }
  return { administrators: [...administrators].sort(), signers: [...signers].sort(), wildcard, unbounded };
}

/** Principals that both administer and sign: the separation the signer key must not have. */
export function administratorsWhoSign(roles: KeyRoles): string[] {
  return roles.administrators.filter((principal) => roles.signers.includes(principal));
}
