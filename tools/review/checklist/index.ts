import { checklistIds, type ChecklistId } from "../../../infra/policy/checklist";
import type { ItemResult, SignoffState } from "../report";
import { signoffItemIds, signoffItems, type SignoffFile } from "../signoffs";
import { codeItems } from "./code";
import type { ItemEvaluator, ReviewContext } from "./context";
import { hygieneItems } from "./hygiene";
import { moneyItems } from "./money";
import { observabilityItems } from "./observability";
import { operationalItems } from "./operational";
import { securityItems } from "./security";

/** Every checklist item's evaluator; the type makes a missing item a compile error. */
export const evaluators: Readonly<Record<ChecklistId, ItemEvaluator>> = {
  ...securityItems,
  ...hygieneItems,
  ...operationalItems,
  ...moneyItems,
  ...observabilityItems,
  ...codeItems,
};

/** Evaluates S1..C4 in checklist order; `onItem` reports progress. */
export function evaluateChecklist(context: ReviewContext, onItem?: (result: ItemResult) => void): ItemResult[] {
  return checklistIds.map((id) => {
    const item = evaluators[id](context);
    onItem?.(item);
    return item;
  });
}

/** Items that need a sign-off and have a valid one pass, with the sign-off as evidence; the rest stay as they are. */
export function applySignoffs(items: readonly ItemResult[], signoffs: SignoffFile): ItemResult[] {
  return items.map((item) => {
    const signed = signoffs.valid.get(item.id as keyof typeof signoffItems);
    if (item.status !== "needs-sign-off" || !signed) return item;
    const detail = `signed by ${signed.who} on ${signed.when}${signed.expires ? ` (until ${signed.expires})` : ""}: ${signed.checked}`;
    return {
      ...item,
      status: "pass",
      summary: `${item.summary}; ${detail}`,
      evidence: [...item.evidence, { kind: "signoff", ref: signoffs.file, detail, ok: true }],
    };
  });
}

/** Every sign-off the stack needs, with the valid one where there is one. */
export function signoffStates(signoffs: SignoffFile): SignoffState[] {
  return signoffItemIds.map((item) => {
    const signed = signoffs.valid.get(item);
    const { awaits, title } = signoffItems[item];
    return {
      item,
      title,
      awaits,
      ...(signed
        ? {
            signed: {
              who: signed.who,
              when: signed.when,
              checked: signed.checked,
              ...(signed.expires ? { expires: signed.expires } : {}),
            },
          }
        : {}),
    };
  });
}
