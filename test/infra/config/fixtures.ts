import type { ConfigSource, KitConfig } from "../../../infra/config";
import { readStackFile } from "../../../infra/offline/stack-file";

/** Resolves a secret Output to its value (tests only: the program never unwraps secrets). */
export function secretValue(output: KitConfig["rpc"]["primaryUrl"]): Promise<string> {
  return new Promise((resolve) => output.apply(resolve));
}

/** The committed staging stack's values, deep-copied so each case can break one thing. */
export function stagingValues(): Record<string, unknown> {
  return structuredClone(readStackFile("staging").values) as Record<string, unknown>;
}

export function productionValues(): Record<string, unknown> {
  return structuredClone(readStackFile("production").values) as Record<string, unknown>;
}

export type Mutation = (values: Record<string, unknown>) => void;

export const seller = (values: Record<string, unknown>) => values["boson-kit:seller"] as Record<string, unknown>;
export const smoke = (values: Record<string, unknown>) => values["boson-kit:smoke"] as Record<string, unknown>;
export const firstToken = (values: Record<string, unknown>) =>
  (seller(values).tokens as Record<string, unknown>[])[0] as Record<string, unknown>;

// A checksummed address standing for the smoke offer's ERC-20.
export const erc20Address = "0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582";

// A fixture URL that is obviously not a real provider key.
export const testRpcUrl = "https://rpc.test.invalid/not-a-real-key";

export interface InvalidCase {
  readonly name: string;
  readonly stack: string;
  readonly base: () => Record<string, unknown>;
  readonly mutate: Mutation;
  readonly mode?: ConfigSource["mode"];
  readonly secretKeys?: readonly string[];
  readonly key: string;
  readonly value: RegExp;
  readonly problem: RegExp;
  readonly fix: RegExp;
}
