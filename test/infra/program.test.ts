import { describe, expect, it } from "vitest";
import { configEnvironment } from "../../infra/definitions/job-environment";
import type { RecordedResource, StackEvaluation } from "../../infra/offline/evaluate";
import { renderPlan } from "../../tools/plan";
import { committedStacks, descendantsOf, committedStackEvaluations, named, ofType } from "./stack-evaluation";

const stacks = committedStackEvaluations();

/** The top-level components of the AWS program, by type and name. */
const components: [string, string][] = [
  ["boson-kit:jobs:JobRoles", "job-roles"],
  ["boson-kit:signer:Signer", "assistant-signer"],
  ["boson-kit:state:State", "state"],
  ["boson-kit:network:RpcEgress", "rpc-egress"],
  ["boson-kit:webhooks:Webhooks", "webhooks"],
  ["boson-kit:jobs:Jobs", "jobs"],
  ["boson-kit:alerts:Alerts", "alerts"],
  ["boson-kit:observability:Dashboard", "dashboard"],
  ["boson-kit:storefront:StorefrontCsp", "storefront-csp"],
];

const outputs = [
  "assistantKeyId",
  "assistantKeyArn",
  "assistantAddress",
  "rpcEgressIps",
  "rpcSecretArn",
  "webhookSecretArn",
  "alertsTopicArn",
  "dashboardName",
  "storefrontResponseHeadersPolicyId",
  "smokeFunctionName",
];

describe.each(committedStacks)("the program for %s", (stack) => {
  it("declares every component at the top of the stack, each owning custom resources", () => {
    const evaluation = stacks[stack];
    const stackUrn = evaluation.resources.find((resource) => resource.type === "pulumi:pulumi:Stack")?.urn;
    for (const [type, name] of components) {
      const component = named(evaluation, type, name);
      expect(component.custom).toBe(false);
      expect(component.parent, name).toBe(stackUrn);
      expect(
        descendantsOf(evaluation, component).some((resource) => resource.custom),
        name,
      ).toBe(true);
    }
  });

  it("exports what the team registers and allowlists", () => {
    const evaluation = stacks[stack];
    for (const output of outputs) expect(evaluation.outputs[output], output).toBeDefined();
    expect(evaluation.outputs.assistantAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  it("lists every component in the offline plan", () => {
    const plan = renderPlan(stacks[stack]);
    for (const [type, name] of components) expect(plan).toContain(`+ ${type} ${name}`);
  });
});

/** Dotted paths where two values differ. */
function differences(a: unknown, b: unknown, path = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    value !== null && typeof value === "object" && !Array.isArray(value);
  if (isRecord(a) && isRecord(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((key) =>
      differences(a[key], b[key], path ? `${path}.${key}` : key),
    );
  }
  return [path];
}

/** The resources of the issue-4 components (other components, such as the log pipeline, have their own tests). */
function ownResources(evaluation: StackEvaluation): Map<string, RecordedResource> {
  const owned = components.flatMap(([type, name]) => {
    const component = named(evaluation, type, name);
    return [component, ...descendantsOf(evaluation, component)];
  });
  expect(owned.length).toBeGreaterThan(80);
  return new Map(owned.map((resource) => [`${resource.type} ${resource.name}`, resource]));
}

describe("staging and production differ only where their config does", () => {
  /** Each allowed difference, and the config field it comes from. */
  const explained: { readonly type: RegExp; readonly path: RegExp; readonly because: string }[] = [
    { type: /LogGroup$/, path: /^retentionInDays$/, because: "logRetentionDays" },
    { type: /MetricAlarm$/, path: /^dimensions\.Stack$/, because: "the stack name" },
    { type: /MetricAlarm$/, path: /^threshold$/, because: "gas.expectedDailyBurnWei x alertRatios" },
    { type: /Alias$/, path: /^name$/, because: "the stack name" },
    { type: /Dashboard$/, path: /^(dashboardName|dashboardBody)$/, because: "the stack name and gas thresholds" },
    { type: /TopicSubscription$/, path: /^endpoint$/, because: "alerts" },
    { type: /Function$/, path: /^vpcConfig\.subnetIds$/, because: "aws.availabilityZones" },
    { type: /VpcEndpoint$/, path: /^(subnetIds|routeTableIds)$/, because: "aws.availabilityZones" },
    { type: /Function$/, path: /^environment\.variables\.[A-Z_]+$/, because: "configEnvironment (checked below)" },
    {
      type: /RolePolicy$/,
      path: /^policy$/,
      because: "signer.replicaRegion: the signing jobs may also use the replica",
    },
    {
      type: /ResponseHeadersPolicy$/,
      path: /^securityHeadersConfig\.contentSecurityPolicy\.contentSecurityPolicy$/,
      because: "each environment's widgets host",
    },
  ];

  it("has the same resources but for the extra zone and subscriptions, with every input difference explained", () => {
    const staging = ownResources(stacks.staging);
    const production = ownResources(stacks.production);
    const onlyStaging = [...staging.keys()].filter((key) => !production.has(key));
    const onlyProduction = [...production.keys()].filter((key) => !staging.has(key));
    expect(onlyStaging).toEqual([]);
    // Production asks for 2 zones (config aws.availabilityZones), one more alert subscription, and a signer replica
    // (signer.replicaRegion), which brings the failover and standby-fence alarms of each signing job.
    expect(onlyProduction.sort()).toEqual(
      [
        "aws:kms/alias:Alias assistant-signer-replica-alias",
        "aws:cloudwatch/metricAlarm:MetricAlarm alerts-withdraw-kms-region-failover",
        "aws:cloudwatch/metricAlarm:MetricAlarm alerts-withdraw-standby-active",
        "aws:cloudwatch/metricAlarm:MetricAlarm alerts-smoke-kms-region-failover",
        "aws:cloudwatch/metricAlarm:MetricAlarm alerts-smoke-standby-active",
        "aws:kms/replicaKey:ReplicaKey assistant-signer-replica-key",
        "boson-kit:signer:SignerReplica assistant-signer-replica",
        "aws:ec2/eip:Eip rpc-egress-zone2-egress-ip",
        "aws:ec2/natGateway:NatGateway rpc-egress-zone2-nat",
        "aws:ec2/routeTable:RouteTable rpc-egress-zone2-private-routes",
        "aws:ec2/routeTableAssociation:RouteTableAssociation rpc-egress-zone2-private-routes",
        "aws:ec2/routeTableAssociation:RouteTableAssociation rpc-egress-zone2-public-routes",
        "aws:ec2/subnet:Subnet rpc-egress-zone2-private",
        "aws:ec2/subnet:Subnet rpc-egress-zone2-public",
        "aws:sns/topicSubscription:TopicSubscription alerts-https-1",
      ].sort(),
    );

    const unexplained: string[] = [];
    let explainedCount = 0;
    for (const [key, resource] of staging) {
      const counterpart = production.get(key);
      if (!counterpart) continue;
      for (const path of differences(resource.inputs, counterpart.inputs)) {
        if (explained.some((rule) => rule.type.test(resource.type) && rule.path.test(path))) explainedCount++;
        else unexplained.push(`${key}: ${path}`);
      }
    }
    expect(unexplained).toEqual([]);
    expect(explainedCount).toBeGreaterThan(0);
  });

  it("takes each differing environment variable from the stack's own config", () => {
    for (const stack of committedStacks) {
      const evaluation = stacks[stack];
      const expected = configEnvironment(evaluation.config);
      for (const fn of ofType(evaluation, "aws:lambda/function:Function").filter((candidate) =>
        candidate.name.endsWith("-job-function"),
      )) {
        const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
        for (const [name, value] of Object.entries(expected))
          expect(variables[name], `${stack} ${fn.name} ${name}`).toBe(value);
      }
    }
  });

  it("follows the config on zones, retention, schedules and gas thresholds", () => {
    for (const stack of committedStacks) {
      const evaluation = stacks[stack];
      expect(ofType(evaluation, "aws:ec2/natGateway:NatGateway")).toHaveLength(evaluation.config.aws.availabilityZones);
      for (const logGroup of ofType(evaluation, "aws:cloudwatch/logGroup:LogGroup").filter((group) =>
        group.name.endsWith("-job-logs"),
      )) {
        expect(logGroup.inputs.retentionInDays).toBe(evaluation.config.logRetentionDays);
      }
      for (const job of ["withdraw", "health", "watcher"] as const) {
        expect(
          named(evaluation, "aws:scheduler/schedule:Schedule", `${job}-job-schedule`).inputs.scheduleExpression,
        ).toBe(evaluation.config.schedules[job]);
      }
      expect(
        named(evaluation, "aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-gas-balance-critical").inputs.threshold,
      ).toBe(Number(evaluation.config.gas.expectedDailyBurnWei) * evaluation.config.gas.alertRatios[2]);
    }
    // The committed stacks really do differ on these, so the checks above compare two different configs.
    expect(stacks.staging.config.aws.availabilityZones).not.toBe(stacks.production.config.aws.availabilityZones);
    expect(stacks.staging.config.logRetentionDays).not.toBe(stacks.production.config.logRetentionDays);
    expect(stacks.staging.config.gas.expectedDailyBurnWei).not.toBe(stacks.production.config.gas.expectedDailyBurnWei);
  });
});
