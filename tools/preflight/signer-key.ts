import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { errorName, type PreflightContext } from "./check";

/**
 * The stack's signing key, found by its alias: its id, or undefined when no
 * key has the alias (the stack was never deployed here). The key and alias
 * are protected, so they outlive a failed or partial deploy.
 */
export async function signerKeyId(context: PreflightContext): Promise<string | undefined> {
  const alias = context.needs.signerKeyAlias;
  if (!alias) return undefined;
  try {
    // GetKeyPolicy takes a key id or ARN, not an alias: DescribeKey resolves the alias.
    const { KeyMetadata } = await context.aws.kms.send(new DescribeKeyCommand({ KeyId: alias }));
    return KeyMetadata?.KeyId;
  } catch (error) {
    if (errorName(error) === "NotFoundException") return undefined;
    throw error;
  }
}

/** Whether the stack is already deployed in this account: `unknown` when the caller may not describe the key. */
export async function deployedHere(context: PreflightContext): Promise<"deployed" | "not deployed" | "unknown"> {
  try {
    return (await signerKeyId(context)) === undefined ? "not deployed" : "deployed";
  } catch {
    return "unknown";
  }
}
