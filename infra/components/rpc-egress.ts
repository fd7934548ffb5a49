import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { declareEncryptedSecret } from "../resource-groups/encrypted-secret";
import type { EncryptionKey } from "./encryption-key";

export interface RpcEgressArgs {
  /** NAT gateways, one per zone: 1 is cheaper, 2+ survive a zone outage. */
  readonly availabilityZoneCount: number;
  /**
   * The zones by id (`euw1-az1`). Absent: the first `availabilityZoneCount`
   * ids, in id order, of the region's zones that need no opt-in.
   */
  readonly availabilityZoneIds?: readonly string[];
  readonly region: string;
  /** RPC URLs carry the provider's API key (checklist S3): secret Outputs only. */
  readonly rpc: {
    readonly primaryUrl: pulumi.Output<string>;
    readonly fallbackUrl: pulumi.Output<string>;
    readonly relayerApiKey?: pulumi.Output<string>;
  };
  /** Manage the secret's key, and write and refresh the secret when `pulumi up` runs as one of them. */
  readonly administrators: readonly pulumi.Input<string>[];
  /** Run `pulumi up` and refresh: what deploying needs on the keys, never signing (config `deployers`). */
  readonly deployers: readonly pulumi.Input<string>[];
  /** The job roles: the only ones that may read the RPC URLs. */
  readonly readers: readonly pulumi.Input<string>[];
  readonly cidrBlock?: string;
}

/** Zone ids carry their number (`euw1-az3` -> 3); subnets 1-8 fit the /16's layout. */
export function zoneNumberOf(zoneId: string): number {
  const number = Number(/-az([0-9]+)$/.exec(zoneId)?.[1]);
  if (!Number.isInteger(number) || number < 1 || number > 8)
    throw new Error(`zone id ${zoneId} is outside az1-az8, which the VPC's subnet layout covers`);
  return number;
}

function availabilityZoneIds(args: RpcEgressArgs, parent: pulumi.Resource): pulumi.Output<readonly string[]> {
  if (args.availabilityZoneIds) return pulumi.output(args.availabilityZoneIds);
  // Opt-in zones (Local Zones, Wavelength) come and go with the account's opt-ins: never pick one implicitly.
  return aws
    .getAvailabilityZonesOutput(
      { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
      { parent },
    )
    .zoneIds.apply((ids) => [...ids].sort());
}

/**
 * Fixed egress for the jobs (checklist S3): the jobs run in private subnets
 * and reach the RPC provider through NAT gateways with Elastic IPs, so the
 * provider can allowlist exactly those addresses for the API key. The key-
 * bearing RPC URLs live in a Secrets Manager secret under a customer-managed
 * key that only the job roles may use.
 */
export class RpcEgress extends pulumi.ComponentResource {
  public readonly vpc: aws.ec2.Vpc;
  public readonly privateSubnetIds: pulumi.Output<string>[];
  /** The security group the jobs' network interfaces use: HTTPS out, nothing in. */
  public readonly jobSecurityGroupId: pulumi.Output<string>;
  /** The NAT gateways' public IPs, for the RPC provider's allowlist. */
  public readonly egressIps: pulumi.Output<string[]>;
  public readonly secret: aws.secretsmanager.Secret;
  public readonly secretArn: pulumi.Output<string>;
  public readonly secretKey: EncryptionKey;
  /**
   * The interface endpoints the jobs reach KMS and Secrets Manager through: the
   * signer's key policy and the secrets' policies admit requests only through
   * them, so job credentials used outside this VPC cannot sign or read.
   */
  public readonly endpoints: { readonly kms: pulumi.Output<string>; readonly secretsManager: pulumi.Output<string> };

  constructor(name: string, args: RpcEgressArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:network:RpcEgress", name, {}, opts);
    const cidr = args.cidrBlock ?? "10.40.0.0/16";
    const [first, second] = cidr.split(".");

    this.vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true },
      { parent: this },
    );
    const internetGateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: this.vpc.id }, { parent: this });
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public-routes`,
      { vpcId: this.vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id }] },
      { parent: this },
    );

    const zoneIds = availabilityZoneIds(args, this);
    const privateSubnetIds: pulumi.Output<string>[] = [];
    const privateRouteTableIds: pulumi.Output<string>[] = [];
    const egressIps: pulumi.Output<string>[] = [];
    for (let index = 0; index < args.availabilityZoneCount; index++) {
      const zoneId = zoneIds.apply((ids) => {
        const id = ids[index];
        if (!id)
          throw new Error(
            `${args.region} has ${ids.length} availability zones that need no opt-in; the stack asks for ${args.availabilityZoneCount}`,
          );
        return id;
      });
      // Subnets are numbered by the zone's id, not its position: adding or losing a zone moves no other subnet.
      const zoneNumber = zoneId.apply(zoneNumberOf);
      const suffix = `${name}-zone${index + 1}`;
      // The NAT gateway sits in a small public subnet; the jobs use a larger private one.
      const publicSubnet = new aws.ec2.Subnet(
        `${suffix}-public`,
        {
          vpcId: this.vpc.id,
          availabilityZoneId: zoneId,
          cidrBlock: pulumi.interpolate`${first}.${second}.${zoneNumber}.0/24`,
          mapPublicIpOnLaunch: false,
        },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(
        `${suffix}-public-routes`,
        { subnetId: publicSubnet.id, routeTableId: publicRoutes.id },
        { parent: this },
      );
      // The RPC provider allowlists this address: a replacement or destroy would cut the jobs off, so Pulumi refuses both.
      const elasticIp = new aws.ec2.Eip(
        `${suffix}-egress-ip`,
        { domain: "vpc" },
        { parent: this, dependsOn: [internetGateway], protect: true, retainOnDelete: true },
      );
      const natGateway = new aws.ec2.NatGateway(
        `${suffix}-nat`,
        { allocationId: elasticIp.allocationId, subnetId: publicSubnet.id, connectivityType: "public" },
        { parent: this },
      );
      const privateSubnet = new aws.ec2.Subnet(
        `${suffix}-private`,
        {
          vpcId: this.vpc.id,
          availabilityZoneId: zoneId,
          cidrBlock: zoneNumber.apply((number) => `${first}.${second}.${128 + (number - 1) * 16}.0/20`),
          mapPublicIpOnLaunch: false,
        },
        { parent: this },
      );
      const privateRoutes = new aws.ec2.RouteTable(
        `${suffix}-private-routes`,
        { vpcId: this.vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateway.id }] },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(
        `${suffix}-private-routes`,
        { subnetId: privateSubnet.id, routeTableId: privateRoutes.id },
        { parent: this },
      );
      privateSubnetIds.push(privateSubnet.id);
      privateRouteTableIds.push(privateRoutes.id);
      egressIps.push(elasticIp.publicIp);
    }
    this.privateSubnetIds = privateSubnetIds;
    this.egressIps = pulumi.all(egressIps);

    const jobSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-jobs-sg`,
      {
        vpcId: this.vpc.id,
        description: "Boson kit jobs: HTTPS out (RPC, subgraph, AWS APIs, webhooks), nothing in",
        egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "HTTPS" }],
      },
      { parent: this },
    );
    this.jobSecurityGroupId = jobSecurityGroup.id;
    this.endpoints = this.declareEndpoints(name, args.region, privateSubnetIds, privateRouteTableIds, jobSecurityGroup);

    const { key, secret } = declareEncryptedSecret(
      name,
      {
        secretName: "rpc-urls",
        region: args.region,
        administrators: args.administrators,
        deployers: args.deployers,
        readers: args.readers,
        readThroughEndpoint: this.endpoints.secretsManager,
        keyDescription: "Encrypts the RPC URLs (they carry the provider's API key)",
        secretDescription: "RPC URLs of the jobs: JSON {primary, fallback}",
        // All are secret Outputs, so the JSON stays secret in state and in the plan. The relayer's api key rides along when there is a relayer.
        value: pulumi
          .all([args.rpc.primaryUrl, args.rpc.fallbackUrl, args.rpc.relayerApiKey ?? pulumi.output(undefined)])
          .apply(([primary, fallback, relayerApiKey]) =>
            JSON.stringify({ primary, fallback, ...(relayerApiKey ? { relayerApiKey } : {}) }),
          ),
        sids: {
          keyReaders: "JobsReadTheRpcSecret",
          keyWriters: "AdministratorsWriteTheRpcSecret",
          secretReaders: "OnlyTheJobsReadTheRpcUrls",
        },
      },
      { parent: this },
    );
    this.secretKey = key;
    this.secret = secret;
    this.secretArn = secret.arn;

    this.registerOutputs({
      vpcId: this.vpc.id,
      privateSubnetIds: this.privateSubnetIds,
      egressIps: this.egressIps,
      secretArn: this.secretArn,
    });
  }

  /**
   * Interface endpoints for KMS and Secrets Manager in every private subnet
   * (private DNS, so the SDKs' default hostnames resolve to them), reachable on
   * 443 from the jobs only, and a DynamoDB gateway endpoint on the private
   * routes: the jobs' AWS calls stay in the VPC and carry `aws:SourceVpce`.
   */
  private declareEndpoints(
    name: string,
    region: string,
    subnetIds: pulumi.Output<string>[],
    routeTableIds: pulumi.Output<string>[],
    jobs: aws.ec2.SecurityGroup,
  ): RpcEgress["endpoints"] {
    const endpointSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-endpoints-sg`,
      {
        vpcId: this.vpc.id,
        description: "Boson kit AWS API endpoints: HTTPS in from the jobs only",
        ingress: [
          {
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            securityGroups: [jobs.id],
            description: "HTTPS from the jobs",
          },
        ],
      },
      { parent: this },
    );
    const interfaceEndpoint = (service: string) =>
      new aws.ec2.VpcEndpoint(
        `${name}-${service}-endpoint`,
        {
          vpcId: this.vpc.id,
          serviceName: `com.amazonaws.${region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds,
          securityGroupIds: [endpointSecurityGroup.id],
        },
        { parent: this },
      );
    const kms = interfaceEndpoint("kms");
    const secretsManager = interfaceEndpoint("secretsmanager");
    new aws.ec2.VpcEndpoint(
      `${name}-dynamodb-endpoint`,
      {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${region}.dynamodb`,
        vpcEndpointType: "Gateway",
        routeTableIds,
      },
      { parent: this },
    );
    return { kms: kms.id, secretsManager: secretsManager.id };
  }
}
