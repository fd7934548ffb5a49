import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parseKitConfig } from "../../infra/config";
import type { RecordedResource } from "../../infra/offline/evaluate";
import { projectRoot, readStackFile, stackSource } from "../../infra/offline/stack-file";
import { promotionGate, renderGate } from "../../tools/promote";
import { configDifferences, resourceDifferences, type StackSide } from "../../tools/promote/differences";
import type { GateResult } from "../../tools/promote/gate";
import { plannedRelease } from "../../tools/promote/release-check";
import { passingSmokeRecord } from "../harness/smoke-record";
import { evaluateCommittedStacks, type CommittedStack } from "../infra/stack-evaluation";
import { passedRun } from "./recorded-run";

/**
 * The promotion gate on the committed stacks and on changed copies: it
 * shows every difference, calls each expected (with its reason), noted or
 * suspicious (security-relevant), refuses on a blocked review, a bad config
 * or an unacknowledged suspicious difference, and prints the Pulumi
 * commands only when it allows.
 */

const run = promisify(execFile);

function productionValues(): Record<string, unknown> {
  return structuredClone(readStackFile("production").values) as Record<string, unknown>;
}

async function sideOf(stack: CommittedStack): Promise<StackSide> {
  const source = readStackFile(stack);
  return { source, config: parseKitConfig(source), evaluation: (await evaluateCommittedStacks())[stack] };
}

let staging: StackSide;
let production: StackSide;
let committed: GateResult;

beforeAll(async () => {
  staging = await sideOf("staging");
  production = await sideOf("production");
  // The release staging's smoke run passed with: the same code, so only the review and the differences decide.
  const smokeRecord = passingSmokeRecord("staging", plannedRelease(staging.evaluation.outputs));
  committed = await promotionGate(readStackFile("staging"), readStackFile("production"), {
    smokeRecord,
    review: { run: passedRun() },
  });
});

describe("promoting the committed staging stack to production", () => {
  it("shows the config differences, each expected for its reason", () => {
    const byKey = new Map(committed.config.map((d) => [d.subject, d]));
    expect(byKey.get("boson-kit:configId")).toMatchObject({
      from: "staging-80002-0",
      to: "production-137-0",
      level: "expected",
      why: expect.stringMatching(/own Boson deployment/),
    });
    expect(byKey.get("boson-kit:chain.id")).toMatchObject({
      from: "80002",
      to: "137",
      level: "expected",
      why: expect.stringMatching(/different chains/),
    });
    expect(byKey.get("boson-kit:protocolDiamond")).toMatchObject({
      level: "expected",
      why: expect.stringMatching(/official table/),
    });
    expect(byKey.get("boson-kit:availabilityZones")).toMatchObject({ from: "1", to: "2", level: "expected" });
    expect(byKey.get("boson-kit:logRetentionDays")).toMatchObject({
      from: "30",
      to: "365",
      level: "expected",
      why: expect.stringMatching(/^retention/),
    });
    expect(byKey.get("boson-kit:gas.expectedDailyBurnWei")).toMatchObject({
      level: "expected",
      why: expect.stringMatching(/thresholds/),
    });
    expect(committed.config.filter((d) => !d.expected)).toEqual([]);
  });

  it("does not list a value that production states at its default as a difference", () => {
    // production's file spells out confirmations 3, alertRatios and maxLagBlocks 20; staging leaves them at their defaults.
    const subjects = committed.config.map((d) => d.subject);
    expect(subjects).not.toContain("boson-kit:confirmations");
    expect(
      subjects.filter((s) => s.startsWith("boson-kit:gas.alertRatios") || s === "boson-kit:subgraph.maxLagBlocks"),
    ).toEqual([]);
  });

  it("shows the resources only in production (the second zone) and the settings that differ", () => {
    const onlyInProduction = committed.resources.filter(
      (d) => d.kind === "resource" && d.to === "declared" && d.from === undefined,
    );
    expect(onlyInProduction.map((d) => d.subject)).toEqual(
      expect.arrayContaining([
        "aws:ec2/natGateway:NatGateway rpc-egress-zone2-nat",
        "aws:ec2/eip:Eip rpc-egress-zone2-egress-ip",
      ]),
    );
    expect(
      onlyInProduction
        .filter((d) => d.subject.includes("zone2"))
        .every((d) => d.why === "availability zones: one per zone"),
    ).toBe(true);
    const withdrawChain = committed.resources.find(
      (d) => d.subject === "aws:lambda/function:Function withdraw-job-function environment.variables.CHAIN_ID",
    );
    expect(withdrawChain).toMatchObject({
      from: "80002",
      to: "137",
      level: "expected",
      why: expect.stringMatching(/different chains/),
    });
    expect(committed.resources.filter((d) => !d.expected)).toEqual([]);
  });

  it("refuses while the production RPC URLs are not set (S3 blocks), and prints no commands", () => {
    expect(committed.review?.stack).toBe("production");
    expect(committed.allowed).toBe(false);
    expect(committed.commands).toEqual([]);
    expect(committed.refusals).toEqual([
      expect.stringMatching(/^the production review is blocked by S3: .*rpcPrimaryUrl: not set/),
    ]);
  });
});

describe("a correct production stack for another seller id and smoke offer", () => {
  it("passes without --ack: each difference is expected for its reason, and the commands are printed", async () => {
    const values = productionValues();
    (values["boson-kit:seller"] as Record<string, unknown>).id = "12";
    values["boson-kit:smoke"] = { offerId: "202", exchangeToken: "native" };
    values["boson-kit:rpcPrimaryUrl"] = { secure: "v1:AAAA" };
    values["boson-kit:rpcFallbackUrl"] = { secure: "v1:BBBB" };
    const smokeRecord = passingSmokeRecord("staging", plannedRelease(staging.evaluation.outputs));
    const result = await promotionGate(readStackFile("staging"), stackSource("production", values), {
      smokeRecord,
      review: { run: passedRun() },
    });
    const byKey = new Map(result.config.map((d) => [d.subject, d]));
    expect(byKey.get("boson-kit:seller.id")).toMatchObject({
      from: "7",
      to: "12",
      level: "expected",
      why: expect.stringMatching(/registered separately on each chain/),
    });
    expect(byKey.get("boson-kit:smoke.offerId")).toMatchObject({
      to: "202",
      level: "expected",
      why: expect.stringMatching(/test offer/),
    });
    const sellerEnv = result.resources.filter((d) =>
      /environment\.variables\.(SELLER_ID|SMOKE_OFFER_ID)$/.test(d.subject),
    );
    // Every job carries the seller id; the smoke offer reaches the smoke job and the watcher (which keeps its exchanges apart).
    expect(sellerEnv.map((d) => d.subject).sort()).toEqual([
      "aws:lambda/function:Function health-job-function environment.variables.SELLER_ID",
      "aws:lambda/function:Function smoke-job-function environment.variables.SELLER_ID",
      "aws:lambda/function:Function smoke-job-function environment.variables.SMOKE_OFFER_ID",
      "aws:lambda/function:Function watcher-job-function environment.variables.SELLER_ID",
      "aws:lambda/function:Function watcher-job-function environment.variables.SMOKE_OFFER_ID",
      "aws:lambda/function:Function withdraw-job-function environment.variables.SELLER_ID",
    ]);
    expect(sellerEnv.every((d) => d.level === "expected")).toBe(true);
    expect(result.unacknowledged).toEqual([]);
    expect(result.refusals).toEqual([]);
    expect(result.allowed).toBe(true);
    expect(result.commands[0]).toBe(
      "pulumi preview --stack production --policy-pack infra/policy --save-plan production.plan.json",
    );
    expect(renderGate(result, "staging", "production")).toMatch(/awaits the release owner: sign-off C4/);
  });
});

describe("a broken copy of production", () => {
  const broken: { name: string; change: (v: Record<string, unknown>) => void; reason: RegExp }[] = [
    {
      name: "a staging configId",
      change: (v) => (v["boson-kit:configId"] = "staging-80002-0"),
      reason: /configId.*accepts only configIds starting with production-/s,
    },
    {
      name: "a wildcard key administrator",
      change: (v) => (v["boson-kit:kmsAdministrators"] = ["*"]),
      reason: /kmsAdministrators/,
    },
    {
      name: "a plaintext RPC URL",
      change: (v) => (v["boson-kit:rpcPrimaryUrl"] = "https://polygon.rpc.invalid/not-a-key"),
      reason: /rpcPrimaryUrl.*plaintext/,
    },
  ];

  it.each(broken)("with $name is refused, with the reason and no commands", async ({ change, reason }) => {
    const values = productionValues();
    change(values);
    const result = await promotionGate(readStackFile("staging"), stackSource("production", values));
    expect(result.allowed).toBe(false);
    expect(result.refusals.join("\n")).toMatch(reason);
    expect(result.commands).toEqual([]);
    expect(renderGate(result, "staging", "production")).toMatch(/promotion REFUSED/);
  });

  it("with another seller admin is suspicious until acknowledged", async () => {
    const values = productionValues();
    (values["boson-kit:seller"] as Record<string, unknown>).admin = "0x00000000000000000000000000000000000000A1";
    const target = stackSource("production", values);
    const refused = await promotionGate(readStackFile("staging"), target);
    const admin = refused.config.find((d) => d.subject === "boson-kit:seller.admin");
    expect(admin).toMatchObject({ expected: false, id: "config:boson-kit:seller.admin" });
    expect(refused.unacknowledged.map((d) => d.id)).toEqual(["config:boson-kit:seller.admin"]);
    expect(refused.refusals.join("\n")).toMatch(
      /1 suspicious difference\(s\) not acknowledged: config:boson-kit:seller.admin/,
    );
    expect(renderGate(refused, "staging", "production")).toContain(
      "acknowledge with: --ack config:boson-kit:seller.admin",
    );

    const acknowledged = await promotionGate(readStackFile("staging"), target, {
      acknowledged: ["config:boson-kit:seller.admin"],
    });
    expect(acknowledged.unacknowledged).toEqual([]);
    expect(acknowledged.refusals.join("\n")).not.toMatch(/suspicious/);
  });

  it("with a webhook endpoint left on staging is suspicious even though it did not change", () => {
    const values = productionValues();
    values["boson-kit:webhooks"] = structuredClone(staging.source.values["boson-kit:webhooks"]);
    const source = stackSource("production", values);
    const differences = configDifferences(staging, { ...production, source, config: parseKitConfig(source) });
    expect(differences.find((d) => d.subject === "boson-kit:webhooks.endpoints.0")).toMatchObject({
      expected: false,
      why: expect.stringMatching(/non-production endpoint.*same as in staging/),
    });
  });

  it("with a resource declared differently but harmlessly (another runtime) is noted, not suspicious", () => {
    const resources = production.evaluation.resources.map((r): RecordedResource =>
      r.name === "withdraw-job-function" ? { ...r, inputs: { ...r.inputs, runtime: "nodejs20.x" } } : r,
    );
    const differences = resourceDifferences(staging, {
      ...production,
      evaluation: { ...production.evaluation, resources },
    });
    // Not security-relevant: shown, not suspicious.
    expect(
      differences.find((d) => d.subject === "aws:lambda/function:Function withdraw-job-function runtime"),
    ).toMatchObject({ from: "nodejs22.x", to: "nodejs20.x", level: "noted" });
  });

  const securityChanges: {
    name: string;
    type: string;
    change: (inputs: Record<string, unknown>) => void;
    path: RegExp;
    why: RegExp;
  }[] = [
    {
      name: "a key policy",
      type: "aws:kms/key:Key",
      change: (i) => (i.policy = String(i.policy).replace("kms:Sign", "kms:*")),
      path: /policy$/,
      why: /policy/,
    },
    {
      name: "lower log retention",
      type: "aws:cloudwatch/logGroup:LogGroup",
      change: (i) => (i.retentionInDays = 7),
      path: /retentionInDays$/,
      why: /retention lowered from 30 to 7/,
    },
    {
      name: "an alarm with its actions disabled",
      type: "aws:cloudwatch/metricAlarm:MetricAlarm",
      change: (i) => (i.actionsEnabled = false),
      path: /actionsEnabled$/,
      why: /disabled/,
    },
    {
      name: "a disabled schedule",
      type: "aws:scheduler/schedule:Schedule",
      change: (i) => (i.state = "DISABLED"),
      path: /state$/,
      why: /schedule is disabled/,
    },
  ];

  it.each(securityChanges)("with $name is suspicious", ({ type, change, path, why }) => {
    // Staging is the target here, so its own retention (30 days) is what is lowered.
    const resources = staging.evaluation.resources.map((r): RecordedResource => {
      if (r.type !== type) return r;
      const inputs = structuredClone(r.inputs) as Record<string, unknown>;
      change(inputs);
      return { ...r, inputs };
    });
    const differences = resourceDifferences(staging, { ...staging, evaluation: { ...staging.evaluation, resources } });
    const found = differences.filter((d) => path.test(d.subject));
    expect(found.length).toBeGreaterThan(0);
    for (const difference of found)
      expect(difference).toMatchObject({ level: "suspicious", why: expect.stringMatching(why) });
  });

  it("refuses an --ack that names no difference", async () => {
    const result = await promotionGate(readStackFile("staging"), readStackFile("production"), {
      acknowledged: ["config:boson-kit:nothing"],
    });
    expect(result.refusals.join("\n")).toMatch(/--ack names no difference: config:boson-kit:nothing/);
  });
});

describe("npm run promote", () => {
  it("exits 1 with the reason for a broken production copy, and writes its report beside it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "promote-"));
    copyFileSync(join(projectRoot, "Pulumi.staging.yaml"), join(dir, "Pulumi.staging.yaml"));
    const document = parse(readFileSync(join(projectRoot, "Pulumi.production.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    (document.config["boson-kit:seller"] as Record<string, unknown>).treasury =
      "0x00000000000000000000000000000000000000b2";
    writeFileSync(join(dir, "Pulumi.production.yaml"), stringify(document));
    const failed = await run(
      join(projectRoot, "node_modules/.bin/tsx"),
      ["tools/promote.ts", "--from", "staging", "--to", "production", "--dir", dir],
      { cwd: projectRoot },
    ).then(
      () => ({ code: 0, stdout: "" }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/SUSPICIOUS {2}boson-kit:seller.treasury/);
    expect(failed.stdout).toMatch(/promotion REFUSED/);
    expect(failed.stdout).not.toMatch(/promotion allowed|--save-plan/);
    expect(existsSync(join(dir, "reports", "production", "readiness.md"))).toBe(true);
  });
});
