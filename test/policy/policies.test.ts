import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../infra/offline/evaluate";
import type { PolicyOutcome } from "../../infra/policy/offline/run";
import { kitPolicies } from "../../infra/policy/policies";
import {
  adminArn,
  adminStatement,
  compliantStack,
  evaluate,
  idOf,
  resource,
  signerKeyPolicy,
  signerStatement,
  withChange,
} from "./fixture-stack";

/**
 * Every policy, with a stack where it passes and stacks that violate it. The
 * last test checks that no policy in the pack is missing from this table.
 */

type Stack = () => RecordedResource[];

interface Case {
  readonly policy: string;
  readonly passes: readonly { readonly name: string; readonly stack: Stack }[];
  readonly violations: readonly { readonly name: string; readonly stack: Stack; readonly message: RegExp }[];
}

const KEY = "aws:kms/key:Key";
const FN = "aws:lambda/function:Function";
const env = (inputs: Record<string, unknown>) =>
  (inputs.environment as { variables: Record<string, unknown> }).variables;
const without =
  (name: string, type: string): Stack =>
  () =>
    compliantStack().filter((r) => !(r.name === name && r.type === type));
const adding =
  (...extra: RecordedResource[]): Stack =>
  () => [...compliantStack(), ...extra];
const csp =
  (header: string, override = true): Stack =>
  () =>
    withChange("storefront", "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", (i) => {
      i.securityHeadersConfig = { contentSecurityPolicy: { contentSecurityPolicy: header, override } };
    });

const cases: Case[] = [
  {
    policy: "kms-signing-key-secp256k1",
    passes: [{ name: "ECC_SECG_P256K1 / SIGN_VERIFY without rotation", stack: compliantStack }],
    violations: [
      {
        name: "NIST curve",
        stack: () => withChange("signer-key", KEY, (i) => (i.customerMasterKeySpec = "ECC_NIST_P256")),
        message: /ECC_NIST_P256.*ECC_SECG_P256K1/,
      },
      {
        name: "rotation asked on an asymmetric key",
        stack: () => withChange("signer-key", KEY, (i) => (i.enableKeyRotation = true)),
        message: /cannot rotate/,
      },
    ],
  },
  {
    policy: "kms-key-policy-explicit",
    passes: [{ name: "both keys carry a policy", stack: compliantStack }],
    violations: [
      { name: "no policy", stack: () => withChange("data-key", KEY, (i) => delete i.policy), message: /no key policy/ },
      {
        name: "policy is not JSON",
        stack: () => withChange("data-key", KEY, (i) => (i.policy = "{not json")),
        message: /not valid JSON/,
      },
    ],
  },
  {
    policy: "kms-no-wildcard-principal",
    passes: [{ name: "named principals only", stack: compliantStack }],
    violations: [
      {
        name: 'Principal "*"',
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) => (i.policy = signerKeyPolicy([adminStatement, { ...signerStatement, Principal: "*" }])),
          ),
        message: /wildcard principal/,
      },
      {
        name: 'Principal { AWS: "*" } on a data key',
        stack: () =>
          withChange(
            "data-key",
            KEY,
            (i) => (i.policy = signerKeyPolicy([adminStatement, { ...signerStatement, Principal: { AWS: "*" } }])),
          ),
        message: /wildcard principal/,
      },
      {
        name: "Allow with NotPrincipal",
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) =>
              (i.policy = signerKeyPolicy([
                adminStatement,
                {
                  Sid: "Open",
                  Effect: "Allow",
                  NotPrincipal: { AWS: [adminArn] },
                  Action: ["kms:Sign"],
                  Resource: "*",
                },
              ])),
          ),
        message: /Open allows everyone except/,
      },
    ],
  },
  {
    policy: "kms-signer-separation-of-duties",
    passes: [
      { name: "admins manage, signers sign", stack: compliantStack },
      {
        name: "a symmetric key's admins are not checked against signers",
        stack: () =>
          withChange("data-key", KEY, (i) => (i.policy = signerKeyPolicy([{ ...adminStatement, Action: ["kms:*"] }]))),
      },
    ],
    violations: [
      {
        name: "admin with kms:*",
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) => (i.policy = signerKeyPolicy([{ ...adminStatement, Action: ["kms:*"] }, signerStatement])),
          ),
        message: /boson-kit-key-admin can both administer the key and sign/,
      },
      {
        name: "signer that can change the key policy",
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) =>
              (i.policy = signerKeyPolicy([
                adminStatement,
                { ...signerStatement, Action: ["kms:Sign", "kms:PutKeyPolicy"] },
              ])),
          ),
        message: /withdraw-role can both administer/,
      },
      {
        name: "admin that can create grants (and so grant itself Sign)",
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) =>
              (i.policy = signerKeyPolicy([
                { ...adminStatement, Action: ["kms:PutKeyPolicy", "kms:CreateGrant"] },
                signerStatement,
              ])),
          ),
        message: /key-admin can both/,
      },
      {
        name: "account root with kms:*",
        stack: () =>
          withChange(
            "signer-key",
            KEY,
            (i) =>
              (i.policy = signerKeyPolicy([
                {
                  Sid: "Root",
                  Effect: "Allow",
                  Principal: { AWS: "arn:aws:iam::123456789012:root" },
                  Action: "kms:*",
                  Resource: "*",
                },
                signerStatement,
              ])),
          ),
        message: /:root can both/,
      },
      {
        name: "nobody administers",
        stack: () => withChange("signer-key", KEY, (i) => (i.policy = signerKeyPolicy([signerStatement]))),
        message: /nobody can administer/,
      },
    ],
  },
  {
    policy: "kms-signing-key-deletion-window",
    passes: [{ name: "30 days", stack: compliantStack }],
    violations: [
      {
        name: "7 days",
        stack: () => withChange("signer-key", KEY, (i) => (i.deletionWindowInDays = 7)),
        message: /deletionWindowInDays is 7/,
      },
    ],
  },
  {
    policy: "kms-symmetric-key-rotation",
    passes: [{ name: "data key rotates; the asymmetric signer is not asked to", stack: compliantStack }],
    violations: [
      {
        name: "data key without rotation",
        stack: () => withChange("data-key", KEY, (i) => (i.enableKeyRotation = false)),
        message: /without automatic rotation/,
      },
    ],
  },
  {
    policy: "stack-has-secp256k1-signer",
    passes: [{ name: "signer present", stack: compliantStack }],
    violations: [{ name: "no signer key", stack: without("signer-key", KEY), message: /no ECC_SECG_P256K1/ }],
  },
  {
    policy: "lambda-no-secret-in-environment",
    passes: [{ name: "ids and ARNs only", stack: compliantStack }],
    violations: [
      {
        name: "a private key",
        stack: () => withChange("withdraw", FN, (i) => (env(i).SIGNER = `0x${"ab".repeat(32)}`)),
        message: /SIGNER: its value looks like an Ethereum private key/,
      },
      {
        name: "an RPC URL by name",
        stack: () => withChange("withdraw", FN, (i) => (env(i).RPC_PRIMARY_URL = "https://rpc.example.invalid/")),
        message: /RPC_PRIMARY_URL: its name/,
      },
      {
        name: "a provider key in a URL",
        stack: () =>
          withChange("withdraw", FN, (i) => (env(i).NODE = `https://polygon-mainnet.infura.io/v3/${"0f".repeat(16)}`)),
        message: /provider API key in its path/,
      },
      {
        name: "a webhook HMAC key",
        stack: () => withChange("withdraw", FN, (i) => (env(i).WEBHOOK_SECRET = "whsec_abc")),
        message: /WEBHOOK_SECRET: its name/,
      },
    ],
  },
  {
    policy: "lambda-dead-letter-queue",
    passes: [{ name: "DLQ set", stack: compliantStack }],
    violations: [
      {
        name: "no DLQ",
        stack: () => withChange("withdraw", FN, (i) => delete i.deadLetterConfig),
        message: /no deadLetterConfig/,
      },
    ],
  },
  {
    policy: "lambda-xray-tracing",
    passes: [{ name: "Active", stack: compliantStack }],
    violations: [
      {
        name: "PassThrough",
        stack: () => withChange("withdraw", FN, (i) => (i.tracingConfig = { mode: "PassThrough" })),
        message: /PassThrough, not Active/,
      },
    ],
  },
  {
    policy: "lambda-current-runtime",
    passes: [{ name: "nodejs22.x", stack: compliantStack }],
    violations: [
      {
        name: "nodejs18.x",
        stack: () => withChange("withdraw", FN, (i) => (i.runtime = "nodejs18.x")),
        message: /nodejs18.x is not one of/,
      },
    ],
  },
  {
    policy: "lambda-in-vpc",
    passes: [{ name: "subnets and security groups", stack: compliantStack }],
    violations: [
      {
        name: "no vpcConfig",
        stack: () => withChange("withdraw", FN, (i) => delete i.vpcConfig),
        message: /runs outside the VPC/,
      },
    ],
  },
  {
    policy: "lambda-reserved-concurrency",
    passes: [
      { name: "withdraw = 1", stack: compliantStack },
      {
        name: "a job the config does not name needs none",
        stack: () =>
          withChange("withdraw", FN, (i) => {
            i.tags = { Job: "health" };
            delete i.reservedConcurrentExecutions;
          }),
      },
    ],
    violations: [
      {
        name: "withdraw = 5",
        stack: () => withChange("withdraw", FN, (i) => (i.reservedConcurrentExecutions = 5)),
        message: /withdraw has reservedConcurrentExecutions 5, expected 1/,
      },
      {
        name: "withdraw unset, found by resource name",
        stack: () =>
          withChange("withdraw", FN, (i) => {
            delete i.tags;
            delete i.reservedConcurrentExecutions;
          }),
        message: /withdraw has reservedConcurrentExecutions \(unset\)/,
      },
    ],
  },
  {
    policy: "lambda-private-subnets-behind-nat",
    passes: [{ name: "private subnet routed through the NAT", stack: compliantStack }],
    violations: [
      {
        name: "the public subnet",
        stack: () =>
          withChange(
            "withdraw",
            FN,
            (i) => (i.vpcConfig = { subnetIds: [idOf("aws:ec2/subnet:Subnet", "public-a")], securityGroupIds: ["sg"] }),
          ),
        message: /public-a routes 0.0.0.0\/0 to an internet gateway/,
      },
      {
        name: "a subnet the stack does not declare",
        stack: () =>
          withChange("withdraw", FN, (i) => (i.vpcConfig = { subnetIds: ["subnet-0123"], securityGroupIds: ["sg"] })),
        message: /subnet-0123 is not declared/,
      },
      {
        name: "public IPs on launch",
        stack: () => withChange("private-a", "aws:ec2/subnet:Subnet", (i) => (i.mapPublicIpOnLaunch = true)),
        message: /private-a assigns public IPs/,
      },
      {
        name: "a NAT without an Elastic IP",
        stack: () => withChange("nat-a", "aws:ec2/natGateway:NatGateway", (i) => delete i.allocationId),
        message: /nat-a has no Elastic IP/,
      },
      {
        name: "no route table",
        stack: without("private-a", "aws:ec2/routeTableAssociation:RouteTableAssociation"),
        message: /main route table/,
      },
    ],
  },
  {
    policy: "log-group-retention",
    passes: [{ name: "365 days", stack: compliantStack }],
    violations: [
      {
        name: "forever",
        stack: () => withChange("withdraw-logs", "aws:cloudwatch/logGroup:LogGroup", (i) => delete i.retentionInDays),
        message: /forever/,
      },
    ],
  },
  {
    policy: "log-group-cmk",
    passes: [{ name: "kit key", stack: compliantStack }],
    violations: [
      {
        name: "no key",
        stack: () => withChange("withdraw-logs", "aws:cloudwatch/logGroup:LogGroup", (i) => delete i.kmsKeyId),
        message: /kmsKeyId is not set/,
      },
    ],
  },
  {
    policy: "sns-topic-cmk",
    passes: [{ name: "kit key", stack: compliantStack }],
    violations: [
      {
        name: "AWS-managed key",
        stack: () => withChange("alerts", "aws:sns/topic:Topic", (i) => (i.kmsMasterKeyId = "alias/aws/sns")),
        message: /alias\/aws\/sns, not a customer-managed key/,
      },
    ],
  },
  {
    policy: "sqs-queue-cmk",
    passes: [{ name: "kit key", stack: compliantStack }],
    violations: [
      {
        name: "SQS-managed encryption",
        stack: () =>
          withChange("withdraw-dlq", "aws:sqs/queue:Queue", (i) => {
            delete i.kmsMasterKeyId;
            i.sqsManagedSseEnabled = true;
          }),
        message: /\(unset\), not a customer-managed key/,
      },
    ],
  },
  {
    policy: "dynamodb-table-cmk",
    passes: [{ name: "kit key", stack: compliantStack }],
    violations: [
      {
        name: "AWS-owned key",
        stack: () =>
          withChange("idempotency", "aws:dynamodb/table:Table", (i) => (i.serverSideEncryption = { enabled: true })),
        message: /does not name a customer-managed key/,
      },
    ],
  },
  {
    policy: "dynamodb-point-in-time-recovery",
    passes: [{ name: "enabled", stack: compliantStack }],
    violations: [
      {
        name: "disabled",
        stack: () =>
          withChange("idempotency", "aws:dynamodb/table:Table", (i) => (i.pointInTimeRecovery = { enabled: false })),
        message: /pointInTimeRecovery/,
      },
    ],
  },
  {
    policy: "secret-cmk",
    passes: [{ name: "kit key", stack: compliantStack }],
    violations: [
      {
        name: "default key",
        stack: () => withChange("rpc", "aws:secretsmanager/secret:Secret", (i) => delete i.kmsKeyId),
        message: /not a customer-managed key/,
      },
    ],
  },
  {
    policy: "alarm-has-action",
    passes: [{ name: "notifies the topic", stack: compliantStack }],
    violations: [
      {
        name: "no action",
        stack: () => withChange("gas-low", "aws:cloudwatch/metricAlarm:MetricAlarm", (i) => (i.alarmActions = [])),
        message: /alarmActions is empty/,
      },
      {
        name: "actions disabled",
        stack: () => withChange("gas-low", "aws:cloudwatch/metricAlarm:MetricAlarm", (i) => (i.actionsEnabled = false)),
        message: /actionsEnabled is false/,
      },
    ],
  },
  {
    policy: "scheduler-target-retry-and-dlq",
    passes: [{ name: "3 retries and a DLQ", stack: compliantStack }],
    violations: [
      {
        name: "no retries, no DLQ",
        stack: () =>
          withChange(
            "withdraw",
            "aws:scheduler/schedule:Schedule",
            (i) => (i.target = { arn: "a", roleArn: "r", retryPolicy: { maximumRetryAttempts: 0 } }),
          ),
        message: /maximumRetryAttempts is 0/,
      },
    ],
  },
  {
    policy: "gcp-no-service-account-keys",
    passes: [{ name: "workload identity only", stack: compliantStack }],
    violations: [
      {
        name: "a key",
        stack: adding(resource("gcp:serviceaccount/key:Key", "shipper-key", { serviceAccountId: "shipper" })),
        message: /shipper-key would be a long-lived credential/,
      },
    ],
  },
  {
    policy: "gcp-bigquery-dataset-not-public",
    passes: [{ name: "named access only", stack: compliantStack }],
    violations: [
      {
        name: "allUsers in accesses",
        stack: () =>
          withChange(
            "logs",
            "gcp:bigquery/dataset:Dataset",
            (i) => (i.accesses = [{ role: "READER", specialGroup: "allUsers" }]),
          ),
        message: /READER to allUsers/,
      },
      {
        name: "a public IAM member",
        stack: adding(
          resource("gcp:bigquery/datasetIamMember:DatasetIamMember", "open", {
            datasetId: "logs",
            role: "roles/bigquery.dataViewer",
            member: "allAuthenticatedUsers",
          }),
        ),
        message: /dataViewer to allAuthenticatedUsers/,
      },
    ],
  },
  {
    policy: "gcp-workload-identity-provider-restricted",
    passes: [{ name: "account and role condition", stack: compliantStack }],
    violations: [
      {
        name: "no condition",
        stack: () =>
          withChange(
            "aws",
            "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
            (i) => delete i.attributeCondition,
          ),
        message: /no attributeCondition/,
      },
    ],
  },
  {
    policy: "gcp-no-basic-roles",
    passes: [{ name: "logWriter", stack: compliantStack }],
    violations: [
      {
        name: "editor",
        stack: () => withChange("log-writer", "gcp:projects/iAMMember:IAMMember", (i) => (i.role = "roles/editor")),
        message: /basic role roles\/editor/,
      },
    ],
  },
  {
    policy: "gcp-storage-bucket-private",
    passes: [{ name: "enforced", stack: compliantStack }],
    violations: [
      {
        name: "inherited",
        stack: () =>
          withChange("archive", "gcp:storage/bucket:Bucket", (i) => (i.publicAccessPrevention = "inherited")),
        message: /inherited, not enforced/,
      },
    ],
  },
  {
    policy: "csp-widget-origin-only",
    passes: [
      {
        name: "widget origin, self and a nonce",
        stack: csp(
          "default-src 'self'; script-src 'self' 'nonce-r4nd0m' https://widgets.bosonprotocol.io; frame-src https://widgets.bosonprotocol.io; object-src 'none'",
        ),
      },
    ],
    violations: [
      { name: "any origin", stack: csp("script-src *; object-src 'none'"), message: /script-src \* allows any origin/ },
      {
        name: "unsafe-inline",
        stack: csp("script-src 'self' 'unsafe-inline' https://widgets.bosonprotocol.io; object-src 'none'"),
        message: /'unsafe-inline' lets inline/,
      },
      {
        name: "a whole scheme",
        stack: csp("script-src https: https://widgets.bosonprotocol.io; object-src 'none'"),
        message: /https: allows a whole scheme/,
      },
      {
        name: "a wildcard subdomain",
        stack: csp("script-src https://*.bosonprotocol.io; object-src 'none'"),
        message: /wildcard host/,
      },
      {
        name: "another host",
        stack: csp("script-src https://widgets.bosonprotocol.io https://cdn.example.com; object-src 'none'"),
        message: /cdn.example.com, beyond the widget origin/,
      },
      {
        name: "no widget origin",
        stack: csp("script-src 'self'; object-src 'none'"),
        message: /does not allow the widget origin/,
      },
      {
        name: "plugins allowed",
        stack: csp("script-src https://widgets.bosonprotocol.io"),
        message: /object-src is not 'none'/,
      },
      {
        name: "origin header wins",
        stack: csp("script-src https://widgets.bosonprotocol.io; object-src 'none'", false),
        message: /override is not true/,
      },
    ],
  },
  {
    policy: "stack-has-widget-csp",
    passes: [{ name: "storefront policy", stack: compliantStack }],
    violations: [
      {
        name: "none",
        stack: without("storefront", "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"),
        message: /no CloudFront response headers policy/,
      },
    ],
  },
];

const outcomeOf = (outcomes: PolicyOutcome[], policy: string): PolicyOutcome => {
  const outcome = outcomes.find((o) => o.policy === policy);
  if (!outcome) throw new Error(`policy ${policy} did not run`);
  return outcome;
};

describe("the compliant fixture stack", () => {
  it("passes every policy in the pack", async () => {
    const outcomes = await evaluate(compliantStack());
    expect(outcomes.flatMap((o) => o.violations)).toEqual([]);
    expect(outcomes.map((o) => o.status)).not.toContain("not-applicable");
  });
});

describe.each(cases)("$policy", ({ policy, passes, violations }) => {
  it.each(passes)("passes: $name", async ({ stack }) => {
    const outcome = outcomeOf(await evaluate(stack()), policy);
    expect(outcome.violations).toEqual([]);
    expect(outcome.status).toBe("pass");
  });

  it.each(violations)("violated by: $name", async ({ stack, message }) => {
    const outcomes = await evaluate(stack());
    const outcome = outcomeOf(outcomes, policy);
    expect(outcome.status).toBe("fail");
    expect(outcome.violations.map((v) => v.message).join("\n")).toMatch(message);
    expect(outcome.violations.every((v) => v.enforcementLevel === "mandatory")).toBe(true);
  });
});

describe("the pack", () => {
  it("has at least 20 policies, each tested above with a pass and a violation", () => {
    expect(kitPolicies.length).toBeGreaterThanOrEqual(20);
    const tested = new Map(cases.map((c) => [c.policy, c]));
    for (const policy of kitPolicies) {
      const testCase = tested.get(policy.name);
      expect(testCase?.passes.length, `${policy.name} has a passing case`).toBeGreaterThan(0);
      expect(testCase?.violations.length, `${policy.name} has a violating case`).toBeGreaterThan(0);
    }
    expect(new Set(kitPolicies.map((p) => p.name)).size).toBe(kitPolicies.length);
  });

  it("maps every policy to checklist ids and only to real Checkov / Trivy id shapes", () => {
    for (const policy of kitPolicies) {
      const tags = policy.tags ?? [];
      expect(
        tags.some((t) => /^checklist:[SHOMBC][1-6]$/.test(t)),
        policy.name,
      ).toBe(true);
      for (const tag of tags.filter((t) => t.startsWith("checkov:")))
        expect(tag).toMatch(/^checkov:CKV2?_(AWS|GCP)_\d+$/);
      for (const tag of tags.filter((t) => t.startsWith("trivy:"))) expect(tag).toMatch(/^trivy:AVD-(AWS|GCP)-\d{4}$/);
    }
  });

  it("never applies the rotation rule to an asymmetric key, even one without rotation", async () => {
    const outcome = outcomeOf(await evaluate(compliantStack()), "kms-symmetric-key-rotation");
    expect(outcome.checked).toEqual(["signer-key", "data-key"]);
    expect(outcome.violations.filter((v) => v.resource === "signer-key")).toEqual([]);
  });
});
