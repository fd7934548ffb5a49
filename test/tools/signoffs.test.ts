import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { StackEvaluation } from "../../infra/offline/evaluate";
import { readStackFile, stackSource } from "../../infra/offline/stack-file";
import { renderMarkdown } from "../../tools/review/markdown";
import { reviewStack } from "../../tools/review/review-stack";
import { readSignoffs, signoffItemIds, validateSignoffs } from "../../tools/review/signoffs";
import { evaluateCommittedStacks } from "../infra/stack-evaluation";
import { passedRun } from "./recorded-run";

/** Sign-offs: validated like the config, expired or malformed ones count as absent, and all of them make READY. */

const today = "2026-12-01";
const entry = (item: string, extra: Record<string, unknown> = {}) => ({
  item,
  who: "Dana Reviewer (security)",
  when: "2026-11-30",
  checked: `checked ${item} by hand against the live stack, notes in the release ticket`,
  ...extra,
});

describe("signoffs/<stack>.yaml", () => {
  it("keeps valid entries and counts malformed, future and expired ones as absent, saying why", () => {
    const file = validateSignoffs(
      {
        signoffs: [
          entry("S2"),
          entry("S3", { who: "" }),
          entry("M2", { when: "30/11/2026" }),
          entry("M3", { when: "2026-12-24" }),
          entry("C4", { expires: "2026-12-01" }),
          entry("alert-canary", { checked: "ok" }),
          entry("Z9"),
          entry("first-pulumi-up", { extra: "field" }),
        ],
      },
      "signoffs/production.yaml",
      today,
    );
    expect([...file.valid.keys()]).toEqual(["S2"]);
    expect(file.rejected).toEqual([
      "signoffs/production.yaml entry 2 (S3) counts as absent: who: must name the person (and role) who checked",
      "signoffs/production.yaml entry 3 (M2) counts as absent: when: must be a date, YYYY-MM-DD",
      "signoffs/production.yaml entry 4 (M3) counts as absent: dated 2026-12-24, after today (2026-12-01)",
      "signoffs/production.yaml entry 5 (C4) counts as absent: expired on 2026-12-01",
      "signoffs/production.yaml entry 6 (alert-canary) counts as absent: checked: must say what was checked and how (20 characters at least)",
      expect.stringMatching(/^signoffs\/production.yaml entry 7 \(Z9\) counts as absent: item: must be one of S2, S3/),
      expect.stringMatching(
        /^signoffs\/production.yaml entry 8 \(first-pulumi-up\) counts as absent: entry: Unrecognized key: "extra"/,
      ),
    ]);
  });

  it("refuses a file that is not a list of sign-offs, or not YAML", () => {
    expect(validateSignoffs({ S2: "yes" }, "f.yaml", today).rejected).toEqual([
      "f.yaml: expected `signoffs:` with a list of entries; every sign-off in it counts as absent",
    ]);
    const root = mkdtempSync(join(tmpdir(), "signoffs-"));
    mkdirSync(join(root, "signoffs"));
    writeFileSync(join(root, "signoffs", "production.yaml"), "signoffs: [\n");
    expect(readSignoffs(root, "production", today).rejected[0]).toMatch(/signoffs\/production.yaml is not valid YAML/);
    expect(readSignoffs(root, "staging", today)).toMatchObject({ rejected: [] });
  });
});

describe("a production stack with its secrets set and every sign-off", () => {
  let production: StackEvaluation;
  let root: string;

  beforeAll(async () => {
    ({ production } = await evaluateCommittedStacks());
    root = mkdtempSync(join(tmpdir(), "signed-"));
    mkdirSync(join(root, "signoffs"));
    writeFileSync(
      join(root, "signoffs", "production.yaml"),
      stringify({ signoffs: signoffItemIds.map((item) => entry(item, { expires: "2027-06-01" })) }),
    );
  });

  const source = () => {
    const values = structuredClone(readStackFile("production").values) as Record<string, unknown>;
    values["boson-kit:rpcPrimaryUrl"] = { secure: "v1:AAAA" };
    values["boson-kit:rpcFallbackUrl"] = { secure: "v1:BBBB" };
    return stackSource("production", values);
  };

  it("is READY, each signed item passing with its sign-off as evidence", async () => {
    const report = await reviewStack(production, {
      source: source(),
      run: passedRun(),
      signoffs: readSignoffs(root, "production", today),
    });
    expect(report.awaiting).toEqual([]);
    expect(report.verdict).toBe("ready");
    const s2 = report.checklist.find((item) => item.id === "S2");
    expect(s2?.status).toBe("pass");
    expect(s2?.evidence.at(-1)).toMatchObject({
      kind: "signoff",
      ref: "signoffs/production.yaml",
      detail: expect.stringMatching(/^signed by Dana Reviewer \(security\) on 2026-11-30 \(until 2027-06-01\)/),
    });
    expect(renderMarkdown(report)).toMatch(/\*\*READY \(/);
  });

  it("is NOT READY again once a sign-off expires, awaiting the person it names", async () => {
    const report = await reviewStack(production, {
      source: source(),
      run: passedRun(),
      signoffs: readSignoffs(root, "production", "2027-06-01"),
    });
    expect(report.verdict).toBe("not-ready");
    expect(report.checklist.find((item) => item.id === "C4")?.status).toBe("needs-sign-off");
    expect(report.awaiting).toContainEqual({
      what: "sign-off C4: The smoke job ran against this stack for this release",
      who: "the release owner",
    });
    expect(report.notes).toContain(
      "Sign-off signoffs/production.yaml entry 5 (C4) counts as absent: expired on 2027-06-01.",
    );
  });
});
