/**
 * The assistant rotation the protocol requires, as steps over observed state.
 * Each step says whether it is already done (read from the chain, KMS and the
 * stack config), so the walk is safe to run again after any step: it resumes
 * at the first step not done.
 */
import { isAddressEqual, type Address } from "viem";

export type RotationState = {
  /** The generation the jobs sign with, and the one being brought in (from the stack config). */
  generation: number;
  pendingGeneration: number | undefined;
  retiredGenerations: readonly number[];
  /** The key being replaced. */
  oldAddress: Address;
  /** Known once the new generation's key exists (its public key read from KMS). */
  newAddress: Address | undefined;
  /** On chain: the seller's assistant, and whether an update to the new address awaits its opt-in. */
  sellerAssistant: Address;
  pendingForNewAddress: boolean;
  /** The old key's gas balance, and the least worth moving (below it a transfer costs more than it saves). */
  oldBalanceWei: bigint;
  dustWei: bigint;
  /** KMS: whether the old key can still sign. */
  oldKeyEnabled: boolean;
};

export type StepId = "new-key" | "update-seller" | "opt-in" | "move-gas" | "switch-jobs" | "disable-old-key";

/** Who performs a step: this tool (signing in KMS), the seller's admin smart account, or a deploy of the stack. */
export type Actor = "tool" | "admin" | "deploy";

export type RotationStep = { id: StepId; title: string; actor: Actor; done: boolean };

const same = (a: Address | undefined, b: Address | undefined) =>
  a !== undefined && b !== undefined && isAddressEqual(a, b);

/** The six steps in order, each marked done or not from the observed state. */
export function rotationSteps(state: RotationState): RotationStep[] {
  const afterSwitch = state.pendingGeneration === undefined && state.retiredGenerations.includes(state.generation - 1);
  const target = state.pendingGeneration ?? (afterSwitch ? state.generation : state.generation + 1);
  const switched = afterSwitch && same(state.newAddress, state.sellerAssistant);
  const accepted = same(state.newAddress, state.sellerAssistant);
  return [
    {
      id: "new-key",
      title: `create the generation-${target} key (a new multi-Region KMS key; the old one stays protected)`,
      actor: "deploy",
      done: state.newAddress !== undefined,
    },
    {
      id: "update-seller",
      title: "the seller's admin asks the protocol for the new assistant (updateSeller)",
      actor: "admin",
      done: accepted || state.pendingForNewAddress,
    },
    {
      id: "opt-in",
      title: "the new key accepts the role (optInToSellerUpdate, signed in KMS by the new key)",
      actor: "tool",
      done: accepted,
    },
    {
      id: "move-gas",
      title: "move the old key's gas balance to the new address",
      actor: "tool",
      done: accepted && state.oldBalanceWei <= state.dustWei,
    },
    {
      id: "switch-jobs",
      title: `switch the jobs to generation ${target}, pin its address and retire generation ${target - 1}`,
      actor: "deploy",
      done: switched,
    },
    {
      id: "disable-old-key",
      title: `the generation-${target - 1} key is disabled (kept, protected, unable to sign)`,
      actor: "deploy",
      done: switched && !state.oldKeyEnabled,
    },
  ];
}

/** The first step not yet done, or undefined when the rotation is complete. */
export function nextStep(state: RotationState): RotationStep | undefined {
  return rotationSteps(state).find((step) => !step.done);
}

/** The config commands a deploy step needs, for the stack. */
export function deployCommands(stack: string, step: StepId, state: RotationState): string[] {
  const set = (path: string, value: string) =>
    `pulumi config set --path 'boson-kit:signer.${path}' ${value} --stack ${stack}`;
  const target = state.pendingGeneration ?? state.generation + 1;
  switch (step) {
    case "new-key":
      return [
        set("pendingGeneration", String(target)),
        `pulumi up --stack ${stack}`,
        `pulumi stack output assistantGenerations --stack ${stack}   # the new key's ARN and address`,
      ];
    case "switch-jobs":
    case "disable-old-key":
      return [
        set("generation", String(target)),
        `pulumi config rm --path 'boson-kit:signer.pendingGeneration' --stack ${stack}`,
        set(`retiredGenerations[${state.retiredGenerations.length}]`, String(target - 1)),
        set("address", state.newAddress ?? "<the new address>"),
        `pulumi up --stack ${stack}`,
      ];
    default:
      return [];
  }
}
