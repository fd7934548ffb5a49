import { compliantStack, idOf, withChange } from "../fixture-stack";
import { env, FN, without, type Case } from "./case";

/** The jobs' functions: environment, dead-letter queue, tracing, runtime, network, concurrency. */
export const lambdaCases: Case[] = [
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
];
