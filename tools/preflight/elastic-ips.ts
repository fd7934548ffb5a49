import { DescribeAddressesCommand } from "@aws-sdk/client-ec2";
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand } from "@aws-sdk/client-service-quotas";
import { errorName, fail, pass, type CheckResult, type PreflightCheck, type PreflightContext } from "./check";
import { deployedHere } from "./signer-key";

const name = "Elastic IP quota";

/** Service Quotas code of "EC2-VPC Elastic IPs" (per region). */
export const elasticIpQuotaCode = "L-0263D0A3";

/** The applied quota, or the AWS default when the account never changed it (Service Quotas then has no applied value). */
async function elasticIpQuota(context: PreflightContext): Promise<number> {
  const request = { ServiceCode: "ec2", QuotaCode: elasticIpQuotaCode };
  try {
    const { Quota } = await context.aws.serviceQuotas.send(new GetServiceQuotaCommand(request));
    if (Quota?.Value !== undefined) return Quota.Value;
  } catch (error) {
    if (errorName(error) !== "NoSuchResourceException") throw error;
  }
  const { Quota } = await context.aws.serviceQuotas.send(new GetAWSDefaultServiceQuotaCommand(request));
  return Quota?.Value ?? 0;
}

export const elasticIps: PreflightCheck = {
  name,
  permissions: [
    "servicequotas:GetServiceQuota",
    "servicequotas:GetAWSDefaultServiceQuota",
    "ec2:DescribeAddresses",
    "kms:DescribeKey",
  ],
  async run(context): Promise<CheckResult[]> {
    const { elasticIps: needed, natGateways } = context.needs;
    const region = context.config.aws.region;
    if (needed === 0) return [pass(name, "the stack allocates no Elastic IP")];
    const quota = await elasticIpQuota(context);
    const { Addresses } = await context.aws.ec2.send(new DescribeAddressesCommand({}));
    const used = Addresses?.length ?? 0;
    const free = quota - used;
    const wants = `${natGateways} NAT gateway${natGateways === 1 ? "" : "s"} need${natGateways === 1 ? "s" : ""} ${needed} Elastic IP${needed === 1 ? "" : "s"}`;
    // Once deployed, the stack's NAT gateways already hold their addresses (protected, so kept across updates).
    if ((await deployedHere(context)) === "deployed") {
      return [
        pass(
          name,
          `${wants}; deployed here, so they are among the ${used} allocated; ${Math.max(free, 0)} of ${quota} free in ${region} for zones added since (one each)`,
        ),
      ];
    }
    if (free < needed) {
      return [
        fail(
          name,
          `${wants}; the quota in ${region} is ${quota} and ${used} are allocated, so ${Math.max(free, 0)} are free`,
          `aws service-quotas request-service-quota-increase --service-code ec2 --quota-code ${elasticIpQuotaCode} --desired-value ${used + needed} --region ${region}, or release unused addresses (aws ec2 describe-addresses --region ${region})`,
        ),
      ];
    }
    return [pass(name, `${wants}; ${free} of ${quota} free in ${region}`)];
  },
};
