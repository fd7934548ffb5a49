import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseBootstrapConfig, type BootstrapConfig } from "../../bootstrap/config";
import { bootstrapProgram } from "../../bootstrap/program";
import { evaluateProgram, type StackEvaluation } from "../../infra/offline/evaluate";
import { projectRoot } from "../../infra/offline/stack-file";
import { named, ofType, parsePolicy, type Statement } from "./stack-evaluation";

/**
 * The bootstrap program (bootstrap/), evaluated under the same mocks as the
 * kit: who may assume which deploy identity (only the production GitHub
 * environment may become the production deployer; pull requests only the
 * previewer), what each identity may do, and that the state and its
 * secrets key cannot be lost by a destroy.
 */

type BootstrapEvaluation = StackEvaluation<{
  project: string;
  stack: string;
  aws: { region: string };
  bootstrap: BootstrapConfig;
}>;

const repo = "repo:example-org/boson-seller-kit";
let evaluation: BootstrapEvaluation;

function stackFileConfig(): BootstrapConfig {
  const document = parse(readFileSync(join(projectRoot, "bootstrap", "Pulumi.ci.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const values = Object.fromEntries(
    Object.entries(document.config)
      .filter(([key]) => key.startsWith("boson-kit-bootstrap:"))
      .map(([key, value]) => [key.slice("boson-kit-bootstrap:".length), value]),
  );
  return parseBootstrapConfig(values, String(document.config["aws:region"]));
}

beforeAll(async () => {
  const bootstrap = stackFileConfig();
  evaluation = await evaluateProgram(
    { project: "boson-kit-bootstrap", stack: "ci", aws: { region: bootstrap.region }, bootstrap },
    (config) => bootstrapProgram(config.bootstrap),
  );
});

const policy = parsePolicy;
const role = (name: string) => named(evaluation as unknown as StackEvaluation, "aws:iam/role:Role", name);
const rolePolicy = (name: string) =>
  policy(
    named(evaluation as unknown as StackEvaluation, "aws:iam/rolePolicy:RolePolicy", `${name}-permissions`).inputs
      .policy,
  );

/** What IAM decides for a web identity token on a trust policy with StringEquals conditions only (the only operator these use). */
function admits(trustPolicy: unknown, claims: Record<string, string>): boolean {
  return policy(trustPolicy).some(
    (statement) =>
      statement.Effect === "Allow" &&
      Object.keys(statement.Condition ?? {}).every((operator) => operator === "StringEquals") &&
      Object.entries(statement.Condition?.StringEquals ?? {}).every(
        ([key, value]) => claims[key.replace("token.actions.githubusercontent.com:", "")] === value,
      ),
  );
}

describe("the bootstrap config", () => {
  it("reads the committed example stack file", () => {
    expect(stackFileConfig()).toMatchObject({
      github: { owner: "example-org", repositoryId: "123456789" },
      stacks: ["staging", "production"],
      region: "eu-west-1",
    });
  });

  it("refuses a repository name instead of its numeric id, and a stack named twice, naming each key", () => {
    const values = {
      github: { owner: "o", repository: "r", repositoryId: "o/r" },
      stacks: ["staging", "staging"],
      gcp: { project: "boson-kit-x1" },
    };
    expect(() => parseBootstrapConfig(values, "eu-west-1")).toThrow(
      /boson-kit-bootstrap:github.repositoryId: must be the repository's numeric id[\s\S]*boson-kit-bootstrap:stacks: must not name a stack twice/,
    );
  });
});

describe("who may become which deploy identity (AWS)", () => {
  const token = (sub: string) => ({ aud: "sts.amazonaws.com", sub });

  it("the production deployer trusts only the production environment of this repository", () => {
    const trust = role("deploy-production").inputs.assumeRolePolicy;
    expect(admits(trust, token(`${repo}:environment:production`))).toBe(true);
    expect(admits(trust, token(`${repo}:environment:staging`))).toBe(false);
    expect(admits(trust, token(`${repo}:ref:refs/heads/main`))).toBe(false);
    expect(admits(trust, token(`${repo}:pull_request`))).toBe(false);
    expect(admits(trust, token("repo:someone-else/boson-seller-kit:environment:production"))).toBe(false);
    expect(admits(trust, { aud: "another-audience", sub: `${repo}:environment:production` })).toBe(false);
  });

  it("the staging deployer trusts only the staging environment; the previewer only pull requests", () => {
    expect(admits(role("deploy-staging").inputs.assumeRolePolicy, token(`${repo}:environment:staging`))).toBe(true);
    expect(admits(role("deploy-staging").inputs.assumeRolePolicy, token(`${repo}:environment:production`))).toBe(false);
    expect(admits(role("preview").inputs.assumeRolePolicy, token(`${repo}:pull_request`))).toBe(true);
    expect(admits(role("preview").inputs.assumeRolePolicy, token(`${repo}:environment:production`))).toBe(false);
  });

  it("every trust is web identity from GitHub's OIDC provider with exact matches, never a wildcard", () => {
    for (const declared of ofType(evaluation as unknown as StackEvaluation, "aws:iam/role:Role")) {
      for (const statement of policy(declared.inputs.assumeRolePolicy)) {
        expect(statement).toMatchObject({
          Action: "sts:AssumeRoleWithWebIdentity",
          Principal: { Federated: expect.stringContaining("github-actions") },
        });
        expect(Object.keys(statement.Condition ?? {})).toEqual(["StringEquals"]);
        expect(JSON.stringify(statement.Condition)).not.toContain("*");
      }
    }
    expect(
      ofType(evaluation as unknown as StackEvaluation, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0]
        ?.inputs,
    ).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
  });
});

describe("what each identity may do", () => {
  const denied = (statements: Statement[]) =>
    statements.filter((s) => s.Effect === "Deny").flatMap((s) => [s.Action].flat());

  it("deployers may never sign, delete keys or mint long-lived credentials", () => {
    for (const stack of ["staging", "production"]) {
      expect(denied(rolePolicy(`deploy-${stack}`))).toEqual(
        expect.arrayContaining(["kms:Sign", "kms:ScheduleKeyDeletion", "iam:CreateUser", "iam:CreateAccessKey"]),
      );
    }
  });

  it("previewers read the state, write only its lock files, decrypt only the stack config, and never read runtime secrets", () => {
    const statements = rolePolicy("preview");
    const writes = statements.filter(
      (s) => s.Effect === "Allow" && [s.Action].flat().some((action) => /Put|Delete/.test(String(action))),
    );
    expect(writes.map((s) => s.Resource)).toEqual([expect.stringMatching(/\/\.pulumi\/locks\/\*$/)]);
    expect(denied(statements)).toEqual(
      expect.arrayContaining(["kms:Sign", "secretsmanager:GetSecretValue", "kms:Decrypt"]),
    );
    const decryptDeny = statements.find((s) => s.Sid === "DecryptOnlyStackConfig") as Statement & {
      NotResource?: string;
    };
    expect(decryptDeny.NotResource).toMatch(/^arn:aws:kms:eu-west-1:\d{12}:key\//);
  });
});

describe("state and secrets", () => {
  it("keeps the state bucket and the secrets key protected, the bucket versioned, encrypted and private, the key rotated", () => {
    const guarded = evaluation.resources
      .filter((r) => r.options?.protect)
      .map((r) => r.name)
      .sort();
    expect(guarded).toEqual(["pulumi-secrets", "pulumi-state"]);
    const bucket = named(evaluation as unknown as StackEvaluation, "aws:s3/bucket:Bucket", "pulumi-state");
    const key = named(evaluation as unknown as StackEvaluation, "aws:kms/key:Key", "pulumi-secrets");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(
      named(evaluation as unknown as StackEvaluation, "aws:s3/bucketVersioning:BucketVersioning", "pulumi-state")
        .inputs,
    ).toMatchObject({ versioningConfiguration: { status: "Enabled" } });
    expect(
      named(
        evaluation as unknown as StackEvaluation,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "pulumi-state",
      ).inputs,
    ).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(evaluation.outputs.secretsProvider).toBe("awskms://alias/boson-kit/pulumi-secrets?region=eu-west-1");
    expect(evaluation.outputs.stateBackendUrl).toMatch(/^s3:\/\//);
  });
});

describe("who may become which deploy identity (GCP)", () => {
  it("accepts tokens from this repository only, by its numeric id", () => {
    const provider = named(
      evaluation as unknown as StackEvaluation,
      "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
      "github-actions",
    );
    expect(provider.inputs).toMatchObject({
      attributeCondition: 'assertion.repository_id == "123456789"',
      oidc: { issuerUri: "https://token.actions.githubusercontent.com" },
      attributeMapping: { "google.subject": "assertion.sub", "attribute.repository_id": "assertion.repository_id" },
    });
  });

  it("binds each service account to exactly one GitHub subject", () => {
    const bindings = ofType(evaluation as unknown as StackEvaluation, "gcp:serviceaccount/iAMMember:IAMMember");
    const subjectOf = (name: string) =>
      String(bindings.find((b) => b.name === name)?.inputs.member).replace(/^.*\/subject\//, "");
    expect(bindings.every((b) => b.inputs.role === "roles/iam.workloadIdentityUser")).toBe(true);
    expect(subjectOf("bk-deploy-production-from-github")).toBe(`${repo}:environment:production`);
    expect(subjectOf("bk-deploy-staging-from-github")).toBe(`${repo}:environment:staging`);
    expect(subjectOf("bk-preview-from-github")).toBe(`${repo}:pull_request`);
    expect(String(bindings[0]?.inputs.member)).toMatch(
      /^principal:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/boson-kit-github\/subject\//,
    );
  });
});
