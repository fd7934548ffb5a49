import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { stackPolicy, type KitPolicy } from "../kit-policy";
import { asRecord, asString, asStrings } from "./props";

/**
 * S3 (RPC keys restricted to the server's IP range) holds only if every job
 * reaches the internet through the NAT gateways' Elastic IPs: its subnets
 * must be private (no public IP, default route to a NAT gateway, never to an
 * internet gateway). Resources refer to each other by id, which the engine
 * passes in each resource's outputs.
 */

const anywhere = "0.0.0.0/0";

function byId(resources: readonly PolicyResource[]): Map<string, PolicyResource> {
  const index = new Map<string, PolicyResource>();
  for (const resource of resources) {
    const id = asString(resource.props.id);
    if (id) index.set(id, resource);
  }
  return index;
}

interface DefaultRoute {
  readonly via: "nat" | "internet-gateway" | "other";
  readonly target: string;
}

/** The 0.0.0.0/0 routes of a route table: separate aws.ec2.Route resources and inline routes. */
function defaultRoutes(
  table: PolicyResource,
  resources: readonly PolicyResource[],
  ids: Map<string, PolicyResource>,
): DefaultRoute[] {
  const tableId = asString(table.props.id);
  const routeLike = [
    ...resources
      .filter((r) => r.isType(aws.ec2.Route) && asString(r.props.routeTableId) === tableId)
      .map((r) => r.props),
    ...(Array.isArray(table.props.routes) ? table.props.routes.map(asRecord) : []),
  ];
  return routeLike
    .filter((route) => asString(route.destinationCidrBlock) === anywhere || asString(route.cidrBlock) === anywhere)
    .map((route): DefaultRoute => {
      const nat = asString(route.natGatewayId);
      const gateway = asString(route.gatewayId);
      if (nat) return { via: "nat", target: nat };
      if (gateway && (gateway.startsWith("igw-") || ids.get(gateway)?.isType(aws.ec2.InternetGateway))) {
        return { via: "internet-gateway", target: gateway };
      }
      return { via: "other", target: gateway ?? "(none)" };
    });
}

/** Why a subnet is not a private subnet behind a NAT gateway, or [] when it is. */
export function subnetProblems(
  subnet: PolicyResource,
  resources: readonly PolicyResource[],
  ids: Map<string, PolicyResource>,
): string[] {
  const problems: string[] = [];
  const subnetId = asString(subnet.props.id);
  if (subnet.props.mapPublicIpOnLaunch === true) problems.push("assigns public IPs on launch");
  const tables = resources
    .filter((r) => r.isType(aws.ec2.RouteTableAssociation) && asString(r.props.subnetId) === subnetId)
    .map((association) => ids.get(asString(association.props.routeTableId) ?? ""))
    .filter((table): table is PolicyResource => table !== undefined);
  if (tables.length === 0) {
    problems.push("has no route table declared in the stack (it would use the VPC's main route table)");
    return problems;
  }
  const routes = tables.flatMap((table) => defaultRoutes(table, resources, ids));
  if (routes.some((route) => route.via === "internet-gateway"))
    problems.push("routes 0.0.0.0/0 to an internet gateway: it is a public subnet");
  if (!routes.some((route) => route.via === "nat"))
    problems.push(
      "has no default route through a NAT gateway, so its traffic would not leave from the allowlisted Elastic IPs",
    );
  return problems;
}

export const networkPolicies: KitPolicy[] = [
  stackPolicy(
    { checklist: ["S3"], checkov: ["CKV_AWS_130", "CKV2_AWS_35"], trivy: ["AVD-AWS-0164"] },
    {
      name: "lambda-private-subnets-behind-nat",
      description:
        "Every Lambda runs in private subnets of this stack (no public IPs, default route through a NAT gateway), so RPC calls leave from the NAT's Elastic IPs that the provider allowlists.",
      remediationSteps:
        "Put the functions in the private subnets; route their 0.0.0.0/0 to the NAT gateways, which hold the Elastic IPs.",
      validateStack: (args, reportViolation) => {
        const ids = byId(args.resources);
        for (const fn of args.resources.filter((r) => r.isType(aws.lambda.Function))) {
          for (const subnetId of asStrings(asRecord(fn.props.vpcConfig).subnetIds)) {
            const subnet = ids.get(subnetId);
            if (!subnet?.isType(aws.ec2.Subnet)) {
              reportViolation(
                `${fn.name}: subnet ${subnetId} is not declared in this stack, so nothing shows it is private`,
                fn.urn,
              );
              continue;
            }
            for (const problem of subnetProblems(subnet, args.resources, ids)) {
              reportViolation(`${fn.name}: subnet ${subnet.name} ${problem}`, fn.urn);
            }
          }
        }
        for (const nat of args.resources.filter((r) => r.isType(aws.ec2.NatGateway))) {
          if (asString(nat.props.connectivityType) === "private") continue;
          if (asString(nat.props.allocationId) === undefined)
            reportViolation(
              `NAT gateway ${nat.name} has no Elastic IP allocation: its egress IP is not fixed`,
              nat.urn,
            );
        }
      },
    },
  ),
];
