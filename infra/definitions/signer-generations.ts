import { keptGenerations, type SignerConfig } from "../signer-config";

/** What one key generation of the assistant signer is in the program. */
export interface SignerGeneration {
  readonly generation: number;
  /** Generation 1 keeps the original resource name, so its URN (and the protected key) never moves. */
  readonly resourceName: string;
  readonly aliasName: string;
  readonly role: "active" | "pending" | "retired";
}

/** Every key generation the stack keeps, with its name, alias and role in a rotation. */
export function signerGenerations(signer: SignerConfig, aliasBase: string): SignerGeneration[] {
  return keptGenerations(signer).map((generation) => ({
    generation,
    resourceName: generation === 1 ? "assistant-signer" : `assistant-signer-g${generation}`,
    aliasName: generation === 1 ? aliasBase : `${aliasBase}-g${generation}`,
    role: generation === signer.generation ? "active" : generation === signer.pendingGeneration ? "pending" : "retired",
  }));
}
