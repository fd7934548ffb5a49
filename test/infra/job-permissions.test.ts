import { describe, expect, it } from "vitest";
import { type StackEvaluation } from "../../infra/offline/evaluate";
import { mockAccountId } from "../../infra/offline/mocks";
import { environmentVariables as env } from "../../lambdas/contract";
import { jobNames } from "../../lambdas/contract";
import {
  actionsOf,
  awsPrincipals,
  committedStackEvaluations,
  committedStacks,
  environmentOf,
  grants,
  jobFunction,
  named,
  jobPrincipalsAllowed,
  ofType,
  parentOf,
  parsePolicy,
  resolve,
  resourcesOf,
  roleNames,
  rolePolicyStatements,
  roleType,
  servicePrincipals,
  type Statement,
} from "./stack-evaluation";

import { businessTallyKeyPrefix } from "../../lambdas/contract/table-keys";

const stacks = committedStackEvaluations();

function jobStatements(evaluation: StackEvaluation, job: string): Statement[] {
  return rolePolicyStatements(evaluation, resolve(evaluation, jobFunction(evaluation, job).inputs.role));
}

/** The resources a job may call `action` on. */
function resourcesFor(evaluation: StackEvaluation, job: string, action: string): string[] {
  return jobStatements(evaluation, job)
    .filter((statement) => statement.Effect === "Allow" && grants(statement, action))
    .flatMap(resourcesOf);
}

const tableArn = (evaluation: StackEvaluation, table: string) =>
  named(evaluation, "aws:dynamodb/table:Table", `state-${table}`).computed?.arn;
const secretArn = (evaluation: StackEvaluation, name: string) =>
  named(evaluation, "aws:secretsmanager/secret:Secret", name).computed?.arn;

describe.each(committedStacks)("job permissions in %s (least privilege)", (stack) => {
  it("lets only withdraw and smoke sign, with the signer key, in their own role policy", () => {
    const evaluation = stacks[stack];
    // The replica (production) shares the key material: signing may fail over to it.
    const keyArns = [
      evaluation.outputs.assistantKeyArn,
      ...(evaluation.config.signer.replicaRegion ? [evaluation.outputs.assistantReplicaKeyArn] : []),
    ];
    for (const job of jobNames) {
      const signs = resourcesFor(evaluation, job, "kms:Sign");
      expect(signs, job).toEqual(job === "withdraw" || job === "smoke" ? keyArns : []);
    }
  });

  it("gives the health job the signer's public key (its address) but not the right to sign", () => {
    const evaluation = stacks[stack];
    const keyArns = [
      evaluation.outputs.assistantKeyArn,
      ...(evaluation.config.signer.replicaRegion ? [evaluation.outputs.assistantReplicaKeyArn] : []),
    ];
    expect(resourcesFor(evaluation, "health", "kms:GetPublicKey")).toEqual(keyArns);
    const key = named(evaluation, "aws:kms/key:Key", "assistant-signer-key");
    expect(roleNames(evaluation, jobPrincipalsAllowed(evaluation, key, "kms:GetPublicKey"))).toContain(
      "health-job-role",
    );
    expect(resourcesFor(evaluation, "watcher", "kms:GetPublicKey")).toEqual([]);
  });

  it("lets only Lambda assume the job roles, and only this account's Scheduler the schedule roles", () => {
    const evaluation = stacks[stack];
    for (const role of ofType(evaluation, roleType).filter(
      (candidate) => parentOf(evaluation, candidate)?.type === "boson-kit:jobs:JobRoles",
    )) {
      const trust = parsePolicy(role.inputs.assumeRolePolicy);
      expect(trust, role.name).toHaveLength(1);
      expect(actionsOf(trust[0] as Statement)).toEqual(["sts:AssumeRole"]);
      const services = servicePrincipals(trust[0] as Statement);
      if (role.name.endsWith("-job-role")) {
        expect(services, role.name).toEqual(["lambda.amazonaws.com"]);
      } else {
        expect(services, role.name).toEqual(["scheduler.amazonaws.com"]);
        expect(trust[0]?.Condition?.StringEquals?.["aws:SourceAccount"]).toBe(mockAccountId);
      }
      expect(awsPrincipals(trust[0] as Statement), role.name).toEqual([]);
    }
  });

  it("lets every job read the RPC secret", () => {
    const evaluation = stacks[stack];
    const rpc = secretArn(evaluation, "rpc-egress-rpc-urls");
    for (const job of jobNames)
      expect(resourcesFor(evaluation, job, "secretsmanager:GetSecretValue"), job).toContain(rpc);
  });

  it("lets only the watcher read the webhook signing key", () => {
    const evaluation = stacks[stack];
    const webhook = secretArn(evaluation, "webhooks-signing-secret");
    for (const job of jobNames) {
      expect(resourcesFor(evaluation, job, "secretsmanager:GetSecretValue").includes(String(webhook)), job).toBe(
        job === "watcher",
      );
    }
  });

  it("gives each table only to the jobs that use it", () => {
    const evaluation = stacks[stack];
    const users = (table: string) =>
      jobNames.filter((job) =>
        resourcesFor(evaluation, job, "dynamodb:PutItem").includes(String(tableArn(evaluation, table))),
      );
    expect(users("idempotency")).toEqual(["withdraw", "smoke"]);
    expect(users("events")).toEqual(["watcher"]);
    expect(users("checkpoints")).toEqual(["watcher", "smoke"]);
    // The smoke job may write its release record and nothing else there: never a watcher checkpoint.
    const smokeRecord = jobStatements(evaluation, "smoke").find((statement) => statement.Sid === "RecordSmokeRuns");
    expect(smokeRecord).toMatchObject({
      Action: ["dynamodb:PutItem"],
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["smoke-release#*"] } },
    });
    // The health job reads the watcher's business counters and nothing else in the events table.
    expect(
      jobNames.filter((job) =>
        resourcesFor(evaluation, job, "dynamodb:GetItem").includes(String(tableArn(evaluation, "events"))),
      ),
    ).toEqual(["health", "watcher"]);
    const healthReads = jobStatements(evaluation, "health").filter((statement) =>
      grants(statement, "dynamodb:GetItem"),
    );
    expect(healthReads.map((statement) => [actionsOf(statement), statement.Condition])).toEqual([
      [["dynamodb:GetItem"], { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${businessTallyKeyPrefix}*`] } }],
    ]);
    // The table key follows.
    const tableKey = resolve(
      evaluation,
      (
        named(evaluation, "aws:dynamodb/table:Table", "state-events").inputs.serverSideEncryption as {
          kmsKeyArn: string;
        }
      ).kmsKeyArn,
    );
    expect(roleNames(evaluation, jobPrincipalsAllowed(evaluation, tableKey, "kms:Decrypt"))).toEqual([
      "health-job-role",
      "smoke-job-role",
      "watcher-job-role",
      "withdraw-job-role",
    ]);
  });

  it("grants no wildcard action, no PutMetricData (metrics go through logs, EMF), and '*' resources only where AWS offers no scoping", () => {
    const evaluation = stacks[stack];
    for (const job of jobNames) {
      for (const statement of jobStatements(evaluation, job)) {
        for (const action of actionsOf(statement)) {
          expect(action, `${job} ${statement.Sid}`).not.toMatch(/(^\*$|:\*$)/);
        }
        expect(grants(statement, "cloudwatch:PutMetricData"), job).toBe(false);
        if (resourcesOf(statement).includes("*")) {
          expect(
            actionsOf(statement).every((action) => action.startsWith("xray:") || action.startsWith("ec2:")),
            `${job} ${statement.Sid}`,
          ).toBe(true);
        }
      }
    }
  });

  it("hands each job the ids of what it may use, and nothing else", () => {
    const evaluation = stacks[stack];
    const has = (job: string, variable: string) => variable in environmentOf(jobFunction(evaluation, job));
    expect(jobNames.filter((job) => has(job, env.keyId))).toEqual(["withdraw", "health", "smoke"]);
    expect(jobNames.filter((job) => has(job, env.idempotencyTable))).toEqual(["withdraw", "smoke"]);
    expect(jobNames.filter((job) => has(job, env.eventsTable))).toEqual(["health", "watcher"]);
    // Every job gets the stack's gas alert ratios, the same numbers the gas alarms use.
    expect(JSON.parse(String(environmentOf(jobFunction(evaluation, "health"))[env.gasAlertRatios]))).toEqual(
      evaluation.config.gas.alertRatios,
    );
    expect(jobNames.filter((job) => has(job, env.webhookSecretArn))).toEqual(["watcher"]);
    const watcher = environmentOf(jobFunction(evaluation, "watcher"));
    expect(JSON.parse(String(watcher[env.webhookEndpoints]))).toEqual(evaluation.config.webhooks.endpoints);
    expect(watcher[env.eventsTable]).toBe(named(evaluation, "aws:dynamodb/table:Table", "state-events").computed?.name);
    expect(watcher[env.checkpointsTable]).toBe(
      named(evaluation, "aws:dynamodb/table:Table", "state-checkpoints").computed?.name,
    );
    expect(environmentOf(jobFunction(evaluation, "withdraw"))[env.keyId]).toBe(evaluation.outputs.assistantKeyId);
    // The watcher counts the kit's own gas by the signer's address, without any access to the key.
    expect(jobNames.filter((job) => has(job, env.signerAddress))).toEqual(["watcher"]);
    expect(watcher[env.signerAddress]).toBe(evaluation.outputs.assistantAddress);
    // The smoke job runs the known test offer (M2, C4); the watcher keeps its exchanges out of webhooks and figures.
    expect(jobNames.filter((job) => has(job, env.smokeOfferId))).toEqual(["watcher", "smoke"]);
    expect(environmentOf(jobFunction(evaluation, "smoke"))[env.smokeOfferId]).toBe(evaluation.config.smoke?.offerId);
    // How the offer is paid travels with it: the job checks the chain's offer against it before any write.
    expect(environmentOf(jobFunction(evaluation, "smoke"))[env.smokeExchangeToken]).toBe("native");
    expect(evaluation.config.smoke?.exchangeToken).toBe("native");
  });
});
