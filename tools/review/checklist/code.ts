import type { Evidence } from "../report";
import { fact, policyEvidence, result, testEvidence, type ItemEvaluator } from "./context";
import { jobEvidence } from "./hygiene";

/** C1..C4: no secrets in logs, decoded reverts, type-checked SDK calls, release smoke test. */

const C1: ItemEvaluator = (context) =>
  result(
    "C1",
    [
      ...testEvidence(context, "C1", true),
      ...policyEvidence(context, ["lambda-no-secret-in-environment", "log-group-cmk"]),
    ],
    {
      pass: "log records are redacted (keys, signatures, raw transactions) and encrypted at rest",
    },
  );

const C2: ItemEvaluator = (context) =>
  result("C2", testEvidence(context, "C2", true), {
    pass: "reverts are caught and decoded against the merged protocol ABI",
  });

const C3: ItemEvaluator = (context) => {
  const { repo } = context;
  const evidence: Evidence[] = [
    fact(
      "repo",
      "tsconfig.json",
      `strict: ${repo.tsStrict}, noUncheckedIndexedAccess: ${repo.noUncheckedIndexedAccess}`,
      repo.tsStrict && repo.noUncheckedIndexedAccess,
    ),
    fact("repo", "package.json scripts.test", repo.testScript || "(none)", /\b(tsc|typecheck)\b/.test(repo.testScript)),
    fact(
      "repo",
      "eslint.config.mjs",
      repo.lintForbidsAny ? "no-explicit-any is an error" : "any is allowed",
      repo.lintForbidsAny,
    ),
    ...testEvidence(context, "C3", false),
  ];
  return result("C3", evidence, {
    pass: "SDK call sites are type-checked (strict tsc in npm test, typed ABI fragments, no any)",
  });
};

const C4: ItemEvaluator = (context) =>
  result(
    "C4",
    [jobEvidence(context, "smoke", undefined), ...testEvidence(context, "C4", true)],
    { pass: "the smoke job is deployed with every release and `npm run promote` prints the command to run it" },
    {
      check: `After this release's \`pulumi up\` on ${context.config.stack}, invoke the smoke job (the command \`npm run promote\` prints) and record the run: release, exchangeIds, tx hashes. Sign with \`expires\` set to the next release.`,
    },
  );

export const codeItems = { C1, C2, C3, C4 };
