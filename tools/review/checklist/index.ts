import { checklistIds, type ChecklistId } from "../../../infra/policy/checklist";
import type { ItemResult } from "../report";
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
