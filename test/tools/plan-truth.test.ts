/**
 * The offline plan and the committed reports never show a made-up value as
 * real: whatever the mocks invented (the signer's address, key ids, Elastic
 * IPs, account-specific ARNs, the project number) reads "(known after deploy)".
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { knownAfterDeploy } from "../../infra/offline/known-after-deploy";
import { mockProjectNumber } from "../../infra/offline/mocks";
import { parseKitConfig } from "../../infra/config";
import { projectRoot, readStackFile, stackSource } from "../../infra/offline/stack-file";
import { displayedEvaluation, renderPlan } from "../../tools/plan";
import { committedStackEvaluations, committedStacks } from "../infra/stack-evaluation";

describe.each(committedStacks)("the %s plan", (stack) => {
  const stacks = committedStackEvaluations();

  it("prints no value the mocks made up, and says (known after deploy) instead", () => {
    const evaluation = stacks[stack];
    const text = renderPlan(evaluation);
    const json = JSON.stringify(displayedEvaluation(evaluation));
    const address = String(evaluation.outputs.assistantAddress);
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    for (const shown of [text, json]) {
      expect(shown).not.toContain(address);
      expect(shown.toLowerCase()).not.toContain(address.toLowerCase().slice(2));
      expect(shown).not.toContain(mockProjectNumber);
      expect(shown).not.toMatch(/203\.0\.113\./);
      expect(shown).not.toMatch(/eipalloc-|:key\/[0-9a-f]{16}/);
    }
    const allowed = new Set(
      [
        evaluation.config.protocol.diamond,
        evaluation.config.seller.admin,
        evaluation.config.seller.treasury,
        ...evaluation.config.seller.tokens.map((t) => t.address),
      ].map((a) => a.toLowerCase()),
    );
    for (const match of text.match(/0x[0-9a-fA-F]{40}/g) ?? []) expect(allowed, match).toContain(match.toLowerCase());
    expect(text).toContain(`assistantAddress: "${knownAfterDeploy}"`);
    expect(text).toContain(`rpcEgressIps: ["${knownAfterDeploy}"`);
  });

  it("names the AWS region, account and GCP project in its header, and each resource's delete-related options", () => {
    const evaluation = stacks[stack];
    const [, header] = renderPlan(evaluation).split("\n");
    expect(header).toBe(
      `AWS region eu-west-1, account 123456789012; GCP project ${evaluation.config.gcp.project} (europe-west1)`,
    );
    const signer = displayedEvaluation(evaluation).resources.find((r) => r.name === "assistant-signer-key");
    expect(signer?.options).toEqual({ protect: true, retainOnDelete: true, deleteBeforeReplace: false });
    expect(renderPlan(evaluation)).toMatch(/aws:kms\/key:Key assistant-signer-key \[protect, retainOnDelete\]/);
  });

  it("keeps the committed readiness report free of made-up values", () => {
    const evaluation = stacks[stack];
    for (const file of ["readiness.md", "readiness.json"]) {
      const text = readFileSync(join(projectRoot, "reports", stack, file), "utf8");
      expect(text, file).not.toContain(String(evaluation.outputs.assistantAddress));
      expect(text, file).not.toMatch(/203\.0\.113\./);
      for (const made of evaluation.fabricated.filter((value) => value.length >= 12))
        expect(text.includes(made), `${file} shows ${made}`).toBe(false);
    }
  });
});

describe("a stack without aws:allowedAccountIds", () => {
  it("says the account is unknown", () => {
    const values = { ...readStackFile("staging").values };
    delete values["aws:allowedAccountIds"];
    const config = parseKitConfig(stackSource("staging", values));
    expect(config.aws.accountId).toBeUndefined();
  });
});
