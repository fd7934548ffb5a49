import { describe, expect, it } from "vitest";
import { secretPlaceholder } from "../../infra/config";
import type { StackEvaluation } from "../../infra/offline/evaluate";
import { jobNames } from "../../lambdas/contract";
import {
  awsPrincipals,
  committedStackEvaluations,
  committedStacks,
  grants,
  jobFunction,
  keyPolicy,
  keyType,
  named,
  jobPrincipalsAllowed,
  ofType,
  resolve,
  roleNames,
  secretPolicyStatements,
} from "./stack-evaluation";

const stacks = committedStackEvaluations();

const jobRoles = ["health-job-role", "smoke-job-role", "watcher-job-role", "withdraw-job-role"];
const subnets = (evaluation: StackEvaluation, kind: "public" | "private") =>
  ofType(evaluation, "aws:ec2/subnet:Subnet").filter((subnet) => subnet.name.endsWith(`-${kind}`));

describe.each(committedStacks)("RPC egress in %s (S3)", (stack) => {
  it("has a private and a public subnet, a NAT gateway and an Elastic IP per configured zone", () => {
    const evaluation = stacks[stack];
    const zones = evaluation.config.aws.availabilityZones;
    expect(subnets(evaluation, "private")).toHaveLength(zones);
    expect(subnets(evaluation, "public")).toHaveLength(zones);
    expect(ofType(evaluation, "aws:ec2/natGateway:NatGateway")).toHaveLength(zones);
    expect(ofType(evaluation, "aws:ec2/eip:Eip")).toHaveLength(zones);
    expect(new Set(subnets(evaluation, "private").map((subnet) => subnet.inputs.availabilityZoneId)).size).toBe(zones);
    for (const subnet of [...subnets(evaluation, "private"), ...subnets(evaluation, "public")]) {
      expect(subnet.inputs.mapPublicIpOnLaunch).toBe(false);
    }
  });

  it("sends the private subnets out through a NAT gateway with an Elastic IP in a public subnet", () => {
    const evaluation = stacks[stack];
    for (const subnet of subnets(evaluation, "private")) {
      const association = ofType(evaluation, "aws:ec2/routeTableAssociation:RouteTableAssociation").find(
        (candidate) => candidate.inputs.subnetId === subnet.computed?.id,
      );
      const table = resolve(evaluation, association?.inputs.routeTableId, "id");
      const routes = table.inputs.routes as { cidrBlock: string; natGatewayId?: string; gatewayId?: string }[];
      expect(routes).toHaveLength(1);
      expect(routes[0]?.gatewayId).toBeUndefined();
      const nat = resolve(evaluation, routes[0]?.natGatewayId, "id");
      expect(nat.type).toBe("aws:ec2/natGateway:NatGateway");
      expect(resolve(evaluation, nat.inputs.subnetId, "id").name).toMatch(/-public$/);
      expect(resolve(evaluation, nat.inputs.allocationId, "allocationId").type).toBe("aws:ec2/eip:Eip");
    }
  });

  it("exports the Elastic IPs as rpcEgressIps", () => {
    const evaluation = stacks[stack];
    const ips = ofType(evaluation, "aws:ec2/eip:Eip").map((eip) => eip.computed?.publicIp);
    expect(evaluation.outputs.rpcEgressIps).toEqual(ips);
    expect(ips).toHaveLength(evaluation.config.aws.availabilityZones);
  });

  it("runs every job in the private subnets with HTTPS-only egress and no ingress", () => {
    const evaluation = stacks[stack];
    const privateIds = subnets(evaluation, "private")
      .map((subnet) => subnet.computed?.id)
      .sort();
    for (const fn of jobNames.map((job) => jobFunction(evaluation, job))) {
      const vpcConfig = fn.inputs.vpcConfig as { subnetIds: string[]; securityGroupIds: string[] };
      expect([...vpcConfig.subnetIds].sort(), fn.name).toEqual(privateIds);
      for (const groupId of vpcConfig.securityGroupIds) {
        const group = resolve(evaluation, groupId, "id");
        expect(group.inputs.ingress ?? []).toEqual([]);
        const egress = group.inputs.egress as { fromPort: number; toPort: number; protocol: string }[];
        expect(egress.map((rule) => [rule.protocol, rule.fromPort, rule.toPort])).toEqual([["tcp", 443, 443]]);
      }
    }
  });

  it("keeps the RPC URLs in a secret under a customer-managed key, as a Pulumi secret", () => {
    const evaluation = stacks[stack];
    const secret = named(evaluation, "aws:secretsmanager/secret:Secret", "rpc-egress-rpc-urls");
    expect(resolve(evaluation, secret.inputs.kmsKeyId).type).toBe(keyType);
    const version = named(evaluation, "aws:secretsmanager/secretVersion:SecretVersion", "rpc-egress-rpc-urls-value");
    expect(version.inputs.secretId).toBe(secret.computed?.id);
    expect(version.secretInputs).toContain("secretString");
    expect(JSON.parse(String(version.inputs.secretString))).toEqual({
      primary: secretPlaceholder("rpcPrimaryUrl"),
      fallback: secretPlaceholder("rpcFallbackUrl"),
    });
    expect(evaluation.outputs.rpcSecretArn).toBe(secret.computed?.arn);
  });

  it("lets only the job roles read the secret and decrypt its key", () => {
    const evaluation = stacks[stack];
    const secret = named(evaluation, "aws:secretsmanager/secret:Secret", "rpc-egress-rpc-urls");
    const readers = secretPolicyStatements(evaluation, secret).filter(
      (statement) => statement.Effect === "Allow" && grants(statement, "secretsmanager:GetSecretValue"),
    );
    expect(
      [...new Set(readers.flatMap((statement) => roleNames(evaluation, awsPrincipals(statement))))].sort(),
    ).toEqual(jobRoles);

    const key = resolve(evaluation, secret.inputs.kmsKeyId);
    expect([...new Set(roleNames(evaluation, jobPrincipalsAllowed(evaluation, key, "kms:Decrypt")))].sort()).toEqual(
      jobRoles,
    );
    const decrypters = keyPolicy(key).filter(
      (statement) => statement.Effect === "Allow" && grants(statement, "kms:Decrypt"),
    );
    for (const statement of decrypters) {
      expect(statement.Condition?.StringEquals?.["kms:ViaService"]).toBe(
        `secretsmanager.${evaluation.config.aws.region}.amazonaws.com`,
      );
    }
  });

  it("reaches KMS and Secrets Manager through interface endpoints in the private subnets, open on 443 to the jobs only, and DynamoDB through a gateway on the private routes", () => {
    const evaluation = stacks[stack];
    const region = evaluation.config.aws.region;
    const endpoints = ofType(evaluation, "aws:ec2/vpcEndpoint:VpcEndpoint");
    const privateSubnetIds = subnets(evaluation, "private")
      .map((subnet) => subnet.computed?.id)
      .sort();
    const jobGroup = named(evaluation, "aws:ec2/securityGroup:SecurityGroup", "rpc-egress-jobs-sg");
    for (const service of ["kms", "secretsmanager"]) {
      const endpoint = endpoints.find((e) => e.inputs.serviceName === `com.amazonaws.${region}.${service}`);
      expect(endpoint?.inputs).toMatchObject({ vpcEndpointType: "Interface", privateDnsEnabled: true });
      expect([...(endpoint?.inputs.subnetIds as string[])].sort()).toEqual(privateSubnetIds);
      const groups = (endpoint?.inputs.securityGroupIds as string[]).map((id) => resolve(evaluation, id, "id"));
      expect(groups.flatMap((group) => group.inputs.ingress as unknown[])).toEqual([
        expect.objectContaining({
          protocol: "tcp",
          fromPort: 443,
          toPort: 443,
          securityGroups: [jobGroup.computed?.id],
        }),
      ]);
      expect(
        groups.flatMap((group) =>
          (group.inputs.ingress as { cidrBlocks?: string[] }[]).flatMap((rule) => rule.cidrBlocks ?? []),
        ),
      ).toEqual([]);
    }
    const dynamodb = endpoints.find((e) => e.inputs.serviceName === `com.amazonaws.${region}.dynamodb`);
    expect(dynamodb?.inputs.vpcEndpointType).toBe("Gateway");
    const privateRouteTables = ofType(evaluation, "aws:ec2/routeTable:RouteTable").filter((table) =>
      table.name.endsWith("-private-routes"),
    );
    expect([...(dynamodb?.inputs.routeTableIds as string[])].sort()).toEqual(
      privateRouteTables.map((table) => table.computed?.id).sort(),
    );
    expect(privateRouteTables).toHaveLength(evaluation.config.aws.availabilityZones);
  });
});
