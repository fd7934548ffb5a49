import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { jobCatalog } from "../../definitions/job-catalog";
import { resourcePolicy, type KitPolicy } from "../kit-policy";
import { asNumber, asRecord, asString, asStrings, jobName } from "./props";
import { secretInEnvironment } from "./secret-values";

/**
 * The jobs (scheduled Lambdas): no secret in their environment, failures
 * kept (DLQ), traced (X-Ray), on a supported runtime, inside the VPC so RPC
 * traffic leaves through the NAT's fixed IPs, and the withdrawal job never
 * running twice at once.
 */

/** Runtimes AWS supports without a deprecation date, newest first. Policy config can narrow it. */
export const currentNodeRuntimes = ["nodejs24.x", "nodejs22.x"] as const;

/**
 * Reserved concurrency per job, as the program declares it (withdraw = 1: two
 * withdrawals racing would both spend gas on the same funds). Taken from the
 * job catalogue so the policy and the program cannot disagree.
 */
export const defaultReservedConcurrency: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(jobCatalog).flatMap(([job, spec]) =>
    spec.reservedConcurrency === undefined ? [] : [[job, spec.reservedConcurrency]],
  ),
);

/** `withdraw` names the job whether the function is called withdraw, withdraw-fn or boson-kit-withdraw. */
function isJob(name: string, job: string): boolean {
  return name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .includes(job.toLowerCase());
}

export const lambdaPolicies: KitPolicy[] = [
  resourcePolicy(
    { checklist: ["S1", "S3", "C1"], checkov: ["CKV_AWS_45"] },
    {
      name: "lambda-no-secret-in-environment",
      description:
        "No Lambda environment variable holds a secret or key material; jobs get secret ARNs and key ids only.",
      remediationSteps:
        "Store the value in Secrets Manager (or keep the key in KMS) and pass its ARN / key id instead.",
      validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, reportViolation) => {
        const variables = asRecord(asRecord(fn.environment).variables);
        for (const [name, value] of Object.entries(variables)) {
          const why = secretInEnvironment(name, value);
          if (why) reportViolation(`environment variable ${name}: ${why}`);
        }
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["O1", "B3"], checkov: ["CKV_AWS_116"] },
    {
      name: "lambda-dead-letter-queue",
      description:
        "Every Lambda has a dead-letter queue, so a failed asynchronous run is kept for replay instead of lost.",
      remediationSteps: "Set deadLetterConfig.targetArn to an SQS queue (encrypted with the kit's key).",
      validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, reportViolation) => {
        if (asString(asRecord(fn.deadLetterConfig).targetArn) === undefined)
          reportViolation("no deadLetterConfig.targetArn");
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["B4"], checkov: ["CKV_AWS_50"], trivy: ["AVD-AWS-0066"] },
    {
      name: "lambda-xray-tracing",
      description:
        "Every Lambda runs with active X-Ray tracing, so one request is traced across SDK, RPC, relayer and subgraph.",
      remediationSteps: 'Set tracingConfig: { mode: "Active" }.',
      validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, reportViolation) => {
        const mode = asString(asRecord(fn.tracingConfig).mode);
        if (mode !== "Active") reportViolation(`tracingConfig.mode is ${mode ?? "(unset)"}, not Active`);
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["H4"], checkov: ["CKV_AWS_363"] },
    {
      name: "lambda-current-runtime",
      description: "Every Lambda uses a current, supported Node.js runtime.",
      remediationSteps: `Use one of ${currentNodeRuntimes.join(", ")}.`,
      configSchema: {
        properties: { runtimes: { type: "array", items: { type: "string" }, default: [...currentNodeRuntimes] } },
      },
      validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, reportViolation) => {
        const configured = asStrings(args.getConfig<{ runtimes?: unknown }>().runtimes);
        const allowed = configured.length > 0 ? configured : [...currentNodeRuntimes];
        const runtime = asString(fn.runtime);
        if (runtime === undefined || !allowed.includes(runtime)) {
          reportViolation(`runtime ${runtime ?? "(unset)"} is not one of ${allowed.join(", ")}`);
        }
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["S3"], checkov: ["CKV_AWS_117"] },
    {
      name: "lambda-in-vpc",
      description:
        "Every Lambda runs inside the VPC (subnets and security groups set), so its traffic leaves through the NAT's fixed IPs.",
      remediationSteps:
        "Set vpcConfig.subnetIds to the private subnets and vpcConfig.securityGroupIds to the jobs' security group.",
      validateResource: validateResourceOfType(aws.lambda.Function, (fn, _args, reportViolation) => {
        const vpc = asRecord(fn.vpcConfig);
        if (asStrings(vpc.subnetIds).length === 0)
          reportViolation("vpcConfig.subnetIds is empty: the function runs outside the VPC");
        if (asStrings(vpc.securityGroupIds).length === 0) reportViolation("vpcConfig.securityGroupIds is empty");
      }),
    },
  ),
  resourcePolicy(
    { checklist: ["M1", "O1"], checkov: ["CKV_AWS_115"] },
    {
      name: "lambda-reserved-concurrency",
      description: "Jobs that must not overlap have the reserved concurrency the kit sets for them (withdraw = 1).",
      remediationSteps: "Set reservedConcurrentExecutions on the job's function to the configured value.",
      configSchema: {
        properties: {
          reservedConcurrency: {
            type: "object",
            additionalProperties: { type: "integer" },
            default: { ...defaultReservedConcurrency },
          },
        },
      },
      validateResource: validateResourceOfType(aws.lambda.Function, (fn, args, reportViolation) => {
        const configured = asRecord(args.getConfig<{ reservedConcurrency?: unknown }>().reservedConcurrency);
        const required = Object.keys(configured).length > 0 ? configured : defaultReservedConcurrency;
        const job = jobName(fn as Record<string, unknown>, args.name);
        const key = Object.keys(required).find((name) => isJob(job, name));
        const expected = key === undefined ? undefined : asNumber(required[key]);
        if (expected === undefined) return;
        const actual = asNumber(fn.reservedConcurrentExecutions);
        if (actual !== expected)
          reportViolation(`job ${job} has reservedConcurrentExecutions ${actual ?? "(unset)"}, expected ${expected}`);
      }),
    },
  ),
];
