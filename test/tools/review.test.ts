import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseKitConfig, type ConfigSource } from "../../infra/config";
import type { RecordedResource, StackEvaluation } from "../../infra/offline/evaluate";
import { readStackFile, stackSource } from "../../infra/offline/stack-file";
import { checklistIds } from "../../infra/policy/checklist";
import { runReview, reviewStack } from "../../tools/review";
import { renderMarkdown } from "../../tools/review/markdown";
import type { ReadinessReport } from "../../tools/review/report";
import { evaluateCommittedStacks } from "../infra/stack-evaluation";
import { passedRun } from "./recorded-run";

/**
 * The review on the committed stacks, and on deliberately broken copies of
 * production: a staging configId, a wildcard signer, a plaintext RPC URL.
 * Broken configs are refused by the config parser (exit 1 with its reason);
 * the review also re-checks each of these itself, shown here by breaking an
 * already evaluated stack the parser never saw.
 */

let staging: StackEvaluation;
let production: StackEvaluation;
let productionReport: ReadinessReport;
let stagingReport: ReadinessReport;

const item = (report: ReadinessReport, id: string) => {
  const found = report.checklist.find((i) => i.id === id);
  if (!found) throw new Error(`no ${id} in the report`);
  return found;
};

function productionValues(): Record<string, unknown> {
  return structuredClone(readStackFile("production").values) as Record<string, unknown>;
}

/** The production evaluation with one resource's inputs changed. */
function changed(
  evaluation: StackEvaluation,
  type: string,
  change: (inputs: Record<string, unknown>) => void,
): StackEvaluation {
  const resources = evaluation.resources.map((r): RecordedResource => {
    if (r.type !== type) return r;
    const inputs = structuredClone(r.inputs) as Record<string, unknown>;
    change(inputs);
    return { ...r, inputs };
  });
  return { ...evaluation, resources };
}

beforeAll(async () => {
  ({ staging, production } = await evaluateCommittedStacks());
  stagingReport = await reviewStack(staging, { source: readStackFile("staging"), run: passedRun() });
  productionReport = await reviewStack(production, { source: readStackFile("production"), run: passedRun() });
});

describe("review of the committed stacks", () => {
  it("judges every checklist item, in checklist order, with evidence", () => {
    for (const report of [stagingReport, productionReport]) {
      expect(report.checklist.map((i) => i.id)).toEqual(checklistIds);
      for (const result of report.checklist) expect(result.evidence.length, result.id).toBeGreaterThan(0);
    }
  });

  it("passes the items the infrastructure proves", () => {
    for (const report of [stagingReport, productionReport]) {
      for (const id of ["S1", "S4", "S5", "S6", "H1", "H4", "H5", "B2", "B3", "B4", "C3"]) {
        expect(item(report, id).status, `${report.stack} ${id}: ${item(report, id).summary}`).toBe("pass");
      }
    }
  });

  it("leaves what lies outside the code to a person's sign-off, saying what to check", () => {
    for (const id of ["S2", "M2", "M3", "C4"]) {
      const result = item(productionReport, id);
      expect(result.status, `${id}: ${result.summary}`).toBe("needs-sign-off");
      expect(result.blocking).toBe(false);
    }
    const { seller } = parseKitConfig(readStackFile("production"));
    expect(item(productionReport, "S2").humanCheck).toContain(`getSeller(${seller?.id})`);
    expect(item(productionReport, "S2").humanCheck).toContain(`${seller?.admin} is a smart account`);
    expect(item(productionReport, "M2").humanCheck).toMatch(
      /live on production-137-0, run this stack.s smoke job.*dispute path/,
    );
    expect(item(productionReport, "M3").humanCheck).toMatch(/boson-kit-key-admin.*fire drill/);
  });

  it("fails S3 while the RPC URLs are not set: an unset secret is not a pass", () => {
    const s3 = item(productionReport, "S3");
    expect(s3).toMatchObject({ status: "fail", blocking: true });
    expect(s3.summary).toMatch(
      /rpcPrimaryUrl: not set: run `pulumi config set --secret boson-kit:rpcPrimaryUrl <url> --stack production`/,
    );
  });

  it("says NOT READY, with every unsigned sign-off and blocking failure and whom it awaits", () => {
    for (const report of [stagingReport, productionReport]) {
      const blocking = report.checklist.filter((i) => i.status === "fail" && i.blocking).map((i) => i.id);
      expect(report.summary.blocking).toEqual(blocking);
      expect(report.checklist.filter((i) => i.blocking && i.status !== "fail")).toEqual([]);
      expect(report.verdict).toBe("not-ready");
      expect(report.signoffs.filter((s) => s.signed)).toEqual([]);
      const awaited = report.awaiting.map((a) => `${a.who}: ${a.what}`).join("\n");
      for (const signoff of [
        "S2",
        "S3",
        "M2",
        "M3",
        "C4",
        "first-pulumi-up",
        "alert-canary",
        "pinned-action-shas",
        "first-pipeline-run",
      ])
        expect(awaited).toContain(`sign-off ${signoff}:`);
      expect(awaited).toMatch(/the seller's admin key holders: sign-off S2/);
      expect(awaited).toMatch(/the platform team: S3 fails/);
    }
  });

  it("names the egress IPs to allowlist and the jobs that can sign", () => {
    const s3 = item(productionReport, "S3");
    const ips = production.outputs.rpcEgressIps as string[];
    expect(ips).toHaveLength(2);
    expect(s3.evidence.find((e) => e.ref === "rpcEgressIps")?.detail).toContain(`allowlist ${ips.join(", ")}`);
    expect(s3.humanCheck).toMatch(/restrict the API key .* to the stack's egress IPs/);
    expect(
      item(productionReport, "S1")
        .evidence.map((e) => e.detail)
        .join("\n"),
    ).toMatch(/jobs that sign: smoke, withdraw/);
  });

  it("lists who administers and who signs each key, and the stack's rotation runbook", () => {
    const signer = productionReport.custody.keys.find((k) => k.usage === "SIGN_VERIFY");
    expect(signer?.administrators.map((a) => a.principal).sort()).toEqual([
      "arn:aws:iam::123456789012:role/boson-kit-deployer",
      "arn:aws:iam::123456789012:role/boson-kit-key-admin",
    ]);
    expect(signer?.administrators.find((a) => a.principal.endsWith("boson-kit-deployer"))?.who).toMatch(
      /could grant itself Sign/,
    );
    expect(signer?.users.map((u) => u.who).sort()).toEqual([
      "execution role of the smoke job",
      "execution role of the withdraw job",
    ]);
    expect(productionReport.custody.seller.assistant).toBe(production.outputs.assistantAddress);
    const runbook = productionReport.custody.runbook.join("\n");
    const order = ["new key", "updateSeller", "optInToSellerUpdate", "gas balance", "disable-key"].map((step) =>
      runbook.indexOf(step),
    );
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(runbook).toMatch(/cannot rotate an asymmetric key/);
  });

  it("shows each key and secret policy statement by statement, and who signs now or is one step away", () => {
    const signerKey = productionReport.custody.policies.find((p) => p.kind === "key" && p.name.endsWith("/assistant"));
    const signing = signerKey?.statements.find((st) => st.effect === "Allow" && st.actions.includes("kms:Sign"));
    expect(signing?.principals.map((p) => p.replace(/ \(.*$/, "")).sort()).toEqual(
      productionReport.custody.signers.direct.map((s) => s.principal).sort(),
    );
    // Conditions as the policy writes them: single values stay single values.
    expect(JSON.parse(signing?.conditions ?? "{}")).toMatchObject({
      StringEquals: { "kms:SigningAlgorithm": "ECDSA_SHA_256", "kms:MessageType": "DIGEST" },
    });
    const rpcSecret = productionReport.custody.policies.find((p) => p.kind === "secret" && /rpc/.test(p.name));
    expect(rpcSecret?.statements.flatMap((st) => st.actions)).toContain("secretsmanager:GetSecretValue");
    expect(productionReport.custody.signers.direct.map((s) => s.who).sort()).toEqual([
      "execution role of the smoke job",
      "execution role of the withdraw job",
    ]);
    const oneStep = productionReport.custody.signers.oneStepAway.map((s) => `${s.principal}: ${s.step}`).join("\n");
    expect(oneStep).toMatch(/role\/boson-kit-key-admin: kms:PutKeyPolicy on the signer/);
    expect(oneStep).toMatch(
      /role\/boson-kit-deployer: deploys the stack: can change the code, configuration or role of the signing jobs \(smoke, withdraw\)/,
    );
    expect(productionReport.custody.deployment.backend).toMatch(/not recorded in the repository/);
  });

  it("says what a stolen assistant key can do on chain, how to stop it and the way back", () => {
    const { compromise } = productionReport;
    expect(compromise.canDo.join("\n")).toMatch(/create offers for seller 7/);
    expect(compromise.canDo.join("\n")).toMatch(
      /pays only the seller's treasury 0x7eA5ba7e000000000000000000000000000000A1/,
    );
    expect(compromise.cannotDo.join("\n")).toMatch(/updateSeller requires the admin/);
    expect(compromise.stop[0]).toMatch(
      /aws kms disable-key --region eu-west-1 --key-id \$\(aws kms describe-key .*alias\/boson-kit\/production\/assistant/,
    );
    expect(compromise.stop[1]).toMatch(/withdraw schedule's name \(known after deploy\)/);
    expect(compromise.stop[2]).toMatch(/updateSeller\(7\).*optInToSellerUpdate/);
    expect(renderMarkdown(productionReport)).toContain("## If the assistant key is compromised");
  });

  it("estimates the fixed cost from what the stack declares", () => {
    const nat = (report: ReadinessReport) => report.cost.lines.find((l) => l.item === "NAT gateways");
    expect(nat(productionReport)).toMatchObject({ quantity: 2, unitPriceUsd: 0.048, monthlyUsd: 70.08 });
    expect(nat(stagingReport)).toMatchObject({ quantity: 1, monthlyUsd: 35.04 });
    const sum = productionReport.cost.lines.reduce((total, l) => total + l.monthlyUsd, 0);
    expect(productionReport.cost.totalMonthlyUsd).toBeCloseTo(sum, 2);
    expect(stagingReport.cost.totalMonthlyUsd).toBeLessThan(productionReport.cost.totalMonthlyUsd);
  });

  it("reports the VPC endpoints' net monthly cost: interface endpoints per zone against the NAT processing they save", () => {
    // Production: KMS and Secrets Manager endpoints in 2 zones = 4 endpoint-zones x $0.01 x 730 h = $29.20.
    expect(productionReport.cost.lines.find((l) => l.item.startsWith("VPC interface endpoints"))).toMatchObject({
      quantity: 4,
      monthlyUsd: 29.2,
    });
    expect(productionReport.cost.endpoints).toMatchObject({
      interfaceEndpointZones: 4,
      fixedMonthlyUsd: 29.2,
      awsApiGbPerMonth: 1,
      endpointProcessingUsd: 0.01,
      natProcessingSavedUsd: 0.05,
    });
    // 29.20 + 0.01 - 0.05; break-even at 29.20 / (0.048 - 0.01) = 768.4 GB.
    expect(productionReport.cost.endpoints.netMonthlyUsd).toBeCloseTo(29.16, 2);
    expect(productionReport.cost.endpoints.breakEvenGb).toBe(769);
    expect(stagingReport.cost.endpoints).toMatchObject({ interfaceEndpointZones: 2, fixedMonthlyUsd: 14.6 });
    expect(renderMarkdown(productionReport)).toContain("VPC endpoints, net: $29.20 for 4 interface endpoint-zones");
  });

  it("renders markdown that opens with the diagram, then the checklist, inventory and cost", () => {
    const markdown = renderMarkdown(productionReport);
    const positions = ["```mermaid", "## Checklist", "## Resource inventory", "## Monthly fixed cost"].map((heading) =>
      markdown.indexOf(heading),
    );
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const id of checklistIds) expect(markdown).toContain(`| ${id} |`);
    expect(markdown.indexOf("```mermaid")).toBeLessThan(markdown.indexOf("| S1 |"));
  });
});

describe("a broken copy of the production config", () => {
  const broken: {
    name: string;
    change: (values: Record<string, unknown>) => void;
    reason: RegExp;
    secretKeys?: string[];
  }[] = [
    {
      name: "a staging configId",
      change: (v) => (v["boson-kit:configId"] = "staging-80002-0"),
      reason: /boson-kit:configId.*production-/s,
    },
    {
      name: "a wildcard key administrator",
      change: (v) => (v["boson-kit:kmsAdministrators"] = ["*"]),
      reason: /boson-kit:kmsAdministrators/,
    },
    {
      name: "a plaintext RPC URL",
      change: (v) => (v["boson-kit:rpcPrimaryUrl"] = "https://polygon.rpc.invalid/v2/not-a-real-key-0123456789"),
      reason: /rpcPrimaryUrl.*plaintext/,
    },
  ];

  it.each(broken)("with $name makes the review exit 1 with the reason", async ({ change, reason }) => {
    const values = productionValues();
    change(values);
    const run = await runReview(stackSource("production", values), { outDir: false });
    expect(run.exitCode).toBe(1);
    expect(run.reason).toMatch(reason);
    expect(run.files).toEqual([]);
  });

  it("with a staging configId the review's own S4 check fails, even past the parser", async () => {
    const forged = { ...production, config: { ...production.config, configId: "staging-80002-0" } };
    const report = await reviewStack(forged, { source: readStackFile("production"), run: passedRun() });
    expect(item(report, "S4")).toMatchObject({ status: "fail", blocking: true });
    expect(item(report, "S4").summary).toMatch(/staging-80002-0 on the production stack/);
    expect(report.summary.blocking).toContain("S4");
  });

  it("with a wildcard signer in the key policy fails S1 and M3 through the policies", async () => {
    const wildcard = changed(production, "aws:kms/key:Key", (inputs) => {
      if (inputs.keyUsage !== "SIGN_VERIFY") return;
      const policy = JSON.parse(String(inputs.policy)) as { Statement: { Principal?: unknown; Action: unknown }[] };
      policy.Statement.push({ Principal: { AWS: "*" }, Action: ["kms:Sign"] } as never);
      inputs.policy = JSON.stringify(policy);
    });
    const report = await reviewStack(wildcard, { source: readStackFile("production"), run: passedRun() });
    expect(item(report, "S1")).toMatchObject({ status: "fail", blocking: true });
    expect(item(report, "S1").summary).toMatch(/kms-no-wildcard-principal.*wildcard principal/);
    expect(report.policies.find((p) => p.policy === "kms-no-wildcard-principal")?.status).toBe("fail");
    expect(report.summary.blocking).toContain("S1");
  });

  it("fails S1 when the signer's key policy lets a signing role sign without the kit's KMS endpoint, and S3 when a secret policy reads without its endpoint", async () => {
    const dropSourceVpce = (inputs: Record<string, unknown>) => {
      const policy = JSON.parse(String(inputs.policy)) as {
        Statement: { Condition?: { StringEquals?: Record<string, unknown> } }[];
      };
      for (const statement of policy.Statement) delete statement.Condition?.StringEquals?.["aws:SourceVpce"];
      inputs.policy = JSON.stringify(policy);
    };
    expect(
      item(productionReport, "S1").evidence.find((e) =>
        /JobsSignDigestsOnlyThroughTheKitEndpoint allows kms:Sign only through the KMS endpoint/.test(e.detail),
      ),
    ).toMatchObject({ ok: true });
    expect(
      item(productionReport, "S3").evidence.filter((e) =>
        /allows secretsmanager:GetSecretValue only through the Secrets Manager endpoint/.test(e.detail),
      ).length,
    ).toBeGreaterThanOrEqual(4);
    const anywhere = changed(production, "aws:kms/key:Key", (inputs) => {
      if (inputs.keyUsage === "SIGN_VERIFY") dropSourceVpce(inputs);
    });
    const report = await reviewStack(anywhere, { source: readStackFile("production"), run: passedRun() });
    expect(item(report, "S1")).toMatchObject({ status: "fail", blocking: true });
    expect(item(report, "S1").summary).toMatch(
      /JobsSignDigestsOnlyThroughTheKitEndpoint allows kms:Sign without requiring the kit's VPC endpoint/,
    );
    const readable = changed(production, "aws:secretsmanager/secretPolicy:SecretPolicy", dropSourceVpce);
    const secretReport = await reviewStack(readable, { source: readStackFile("production"), run: passedRun() });
    expect(item(secretReport, "S3").summary).toMatch(/GetSecretValue without requiring the kit's VPC endpoint/);
  });

  it("with a plaintext RPC URL in the stack file fails S3 even if the program accepted it", async () => {
    const values = productionValues();
    values["boson-kit:rpcPrimaryUrl"] = "https://polygon.rpc.invalid/plain";
    const plaintext: ConfigSource = stackSource("production", values);
    const report = await reviewStack(production, { source: plaintext, run: passedRun() });
    expect(item(report, "S3")).toMatchObject({ status: "fail", blocking: true });
    expect(item(report, "S3").summary).toMatch(/rpcPrimaryUrl: stored in plaintext/);
  });

  it("with a job outside the private subnets fails S3", async () => {
    const publicSubnet = production.resources.find(
      (r) => r.type === "aws:ec2/subnet:Subnet" && r.name.includes("public"),
    );
    const id = publicSubnet?.computed?.id;
    expect(id).toBeDefined();
    const exposed = changed(production, "aws:lambda/function:Function", (inputs) => {
      inputs.vpcConfig = { ...(inputs.vpcConfig as object), subnetIds: [id] };
    });
    const report = await reviewStack(exposed, { run: passedRun() });
    expect(item(report, "S3").status).toBe("fail");
    expect(item(report, "S3").summary).toMatch(/lambda-private-subnets-behind-nat.*internet gateway/);
  });

  it("parses, for the record, when nothing is broken", () => {
    expect(() => parseKitConfig(stackSource("production", productionValues()))).not.toThrow();
  });
});

describe("runReview", () => {
  it("writes readiness.md and readiness.json with the report it returns", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "review-"));
    const lines: string[] = [];
    const run = await runReview(readStackFile("staging"), {
      outDir,
      log: (line) => lines.push(line),
      review: { run: passedRun() },
    });
    expect(run.exitCode).toBe(1);
    expect(run.reason).toMatch(/NOT READY: \d+ thing\(s\) await someone/);
    const json = JSON.parse(readFileSync(join(outDir, "readiness.json"), "utf8")) as ReadinessReport;
    expect(json.schema).toBe("boson-kit/readiness@2");
    expect(json.checklist.map((i) => i.status)).toEqual(run.report?.checklist.map((i) => i.status));
    expect(readFileSync(join(outDir, "readiness.md"), "utf8")).toContain("# Readiness: staging");
    // Progress while it works, then the summary table.
    expect(lines.some((line) => /\[ 1\/29\] S1 /.test(line))).toBe(true);
    expect(lines.join("\n")).toMatch(/staging: NOT READY \(\d+ pass/);
    expect(lines.join("\n")).toMatch(/awaits the on-call: sign-off alert-canary/);
  });
});
