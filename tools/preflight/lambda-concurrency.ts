import { GetAccountSettingsCommand } from "@aws-sdk/client-lambda";
import { fail, pass, type CheckResult, type PreflightCheck } from "./check";
import { deployedHere } from "./signer-key";

const name = "Lambda concurrency";

/** Lambda refuses a reservation that would leave fewer than this many executions unreserved. */
export const minimumUnreserved = 100;
/** Service Quotas code of "Concurrent executions" (Lambda). */
export const lambdaConcurrencyQuotaCode = "L-B99A9384";

export const lambdaConcurrency: PreflightCheck = {
  name,
  permissions: ["lambda:GetAccountSettings", "kms:DescribeKey"],
  async run(context): Promise<CheckResult[]> {
    const { reservedConcurrency, reservingFunctions } = context.needs;
    const region = context.config.aws.region;
    if (reservedConcurrency === 0) return [pass(name, "the stack reserves no concurrency")];

    const { AccountLimit } = await context.aws.lambda.send(new GetAccountSettingsCommand({}));
    const limit = AccountLimit?.ConcurrentExecutions ?? 0;
    const unreserved = AccountLimit?.UnreservedConcurrentExecutions ?? 0;
    const needed = reservedConcurrency + minimumUnreserved;
    const reserves = `the stack reserves ${reservedConcurrency} (${reservingFunctions.join(", ")})`;
    if (limit < needed) {
      return [
        fail(
          name,
          `account limit is ${limit} concurrent executions in ${region}; ${reserves} and Lambda keeps ${minimumUnreserved} unreserved, so it needs at least ${needed}`,
          `aws service-quotas request-service-quota-increase --service-code lambda --quota-code ${lambdaConcurrencyQuotaCode} --desired-value ${Math.max(needed, 1000)} --region ${region}`,
        ),
      ];
    }
    // Once deployed, the stack's own reservation is already among the reserved: only the limit rule above still applies.
    const deployed = await deployedHere(context);
    if (deployed === "deployed") {
      return [
        pass(
          name,
          `limit ${limit}, ${unreserved} unreserved in ${region}; ${reserves}, already deployed here and counted among the reserved`,
        ),
      ];
    }
    if (unreserved - reservedConcurrency < minimumUnreserved) {
      return [
        fail(
          name,
          `only ${unreserved} of ${limit} executions are unreserved in ${region} (other functions reserve the rest); ${reserves}, which would leave ${unreserved - reservedConcurrency}, below ${minimumUnreserved}`,
          `free reservations (aws lambda delete-function-concurrency --function-name <fn> --region ${region}) or raise the limit: aws service-quotas request-service-quota-increase --service-code lambda --quota-code ${lambdaConcurrencyQuotaCode} --desired-value ${limit + needed} --region ${region}`,
        ),
      ];
    }
    return [
      pass(
        name,
        `limit ${limit}, ${unreserved} unreserved in ${region}; ${reserves}, leaving ${unreserved - reservedConcurrency}`,
      ),
    ];
  },
};
