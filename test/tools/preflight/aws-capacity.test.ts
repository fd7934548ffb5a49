import { describe, expect, it } from "vitest";
import { availabilityZones } from "../../../tools/preflight/availability-zones";
import { elasticIps } from "../../../tools/preflight/elastic-ips";
import { lambdaConcurrency } from "../../../tools/preflight/lambda-concurrency";
import {
  deployerArn,
  healthyAccount,
  keyAdminArn,
  signerAlias,
  signerPolicy,
  stagingConfig,
  stagingNeeds,
} from "../../harness/preflight-world";
import { failures, usePreflightWorld } from "./preflight-hooks";

/**
 * The AWS preflight checks on what the account can hold: Lambda concurrency, Elastic IPs, availability zones.
 */
const { run, world } = usePreflightWorld((stub) => Object.assign(stub.account, healthyAccount()));

describe("Lambda concurrency", () => {
  it("passes when the limit leaves 100 unreserved after the stack's reservation", async () => {
    expect(await run(lambdaConcurrency)).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining("leaving 999") }),
    ]);
  });

  it("fails a new account's limit of 10 with the Service Quotas request for L-B99A9384", async () => {
    world().account.lambda = { concurrentExecutions: 10, unreservedConcurrentExecutions: 10 };
    const [result] = failures(await run(lambdaConcurrency));
    expect(result?.detail).toContain(
      "account limit is 10 concurrent executions in eu-west-1; the stack reserves 1 (withdraw-function=1)",
    );
    expect(result?.detail).toContain("needs at least 101");
    expect(result?.fix).toBe(
      "aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 1000 --region eu-west-1",
    );
  });

  it("fails at the edge: a limit of exactly 100 leaves 99 after a reservation of 1", async () => {
    world().account.lambda = { concurrentExecutions: 100, unreservedConcurrentExecutions: 100 };
    expect(failures(await run(lambdaConcurrency))).toHaveLength(1);
    world().account.lambda = { concurrentExecutions: 101, unreservedConcurrentExecutions: 101 };
    expect(failures(await run(lambdaConcurrency))).toHaveLength(0);
  });

  it("fails when other functions reserve so much that fewer than 100 would stay unreserved", async () => {
    world().account.lambda = { concurrentExecutions: 1000, unreservedConcurrentExecutions: 100 };
    const [result] = failures(await run(lambdaConcurrency));
    expect(result?.detail).toContain("only 100 of 1000 executions are unreserved");
    expect(result?.fix).toContain("aws lambda delete-function-concurrency");
  });

  it("once the stack is deployed (its key exists), counts its own reservation among the reserved", async () => {
    world().account.lambda = { concurrentExecutions: 1000, unreservedConcurrentExecutions: 100 };
    world().account.keys = [
      {
        alias: signerAlias,
        keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        policy: signerPolicy([keyAdminArn, deployerArn]),
      },
    ];
    expect(await run(lambdaConcurrency)).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining("already deployed here") }),
    ]);
    world().account.lambda = { concurrentExecutions: 10, unreservedConcurrentExecutions: 10 };
    expect(failures(await run(lambdaConcurrency))).toHaveLength(1);
  });

  it("passes without calling Lambda when the stack reserves nothing", async () => {
    world().account.denied.add("lambda:GetAccountSettings");
    const results = await run(
      lambdaConcurrency,
      world().context({ needs: stagingNeeds({ reservedConcurrency: 0, reservingFunctions: [] }) }),
    );
    expect(results).toEqual([expect.objectContaining({ status: "pass", detail: "the stack reserves no concurrency" })]);
  });

  it("reports a denied call as a failure that names the permission", async () => {
    world().account.denied.add("lambda:GetAccountSettings");
    const [result] = failures(await run(lambdaConcurrency));
    expect(result?.detail).toMatch(/^could not check: AccessDeniedException: /);
    expect(result?.fix).toContain("lambda:GetAccountSettings");
  });
});

describe("Elastic IP quota", () => {
  it("passes on the default quota (no applied value) with addresses to spare", async () => {
    world().account.addresses = [{ publicIp: "198.51.100.7", allocationId: "eipalloc-0000000000000001" }];
    expect(await run(elasticIps)).toEqual([
      expect.objectContaining({ status: "pass", detail: "1 NAT gateway needs 1 Elastic IP; 4 of 5 free in eu-west-1" }),
    ]);
  });

  it("fails when the allocated addresses leave fewer than the NAT gateways need", async () => {
    world().account.addresses = [1, 2, 3, 4].map((n) => ({
      publicIp: `198.51.100.${n}`,
      allocationId: `eipalloc-000000000000000${n}`,
    }));
    const context = world().context({ needs: stagingNeeds({ natGateways: 2, elasticIps: 2 }) });
    const [result] = failures(await run(elasticIps, context));
    expect(result?.detail).toContain(
      "2 NAT gateways need 2 Elastic IPs; the quota in eu-west-1 is 5 and 4 are allocated, so 1 are free",
    );
    expect(result?.fix).toContain("--service-code ec2 --quota-code L-0263D0A3 --desired-value 6 --region eu-west-1");
  });

  it("once the stack is deployed, its NAT gateways' addresses are among the allocated", async () => {
    world().account.addresses = [1, 2, 3, 4, 5].map((n) => ({
      publicIp: `198.51.100.${n}`,
      allocationId: `eipalloc-000000000000000${n}`,
    }));
    world().account.keys = [
      {
        alias: signerAlias,
        keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        policy: signerPolicy([keyAdminArn, deployerArn]),
      },
    ];
    expect(await run(elasticIps)).toEqual([
      expect.objectContaining({
        status: "pass",
        detail:
          "1 NAT gateway needs 1 Elastic IP; deployed here, so they are among the 5 allocated; 0 of 5 free in eu-west-1 for zones added since (one each)",
      }),
    ]);
  });

  it("uses the applied quota over the default", async () => {
    world().account.addresses = [1, 2, 3, 4, 5].map((n) => ({
      publicIp: `198.51.100.${n}`,
      allocationId: `eipalloc-000000000000000${n}`,
    }));
    expect(failures(await run(elasticIps))).toHaveLength(1);
    world().account.appliedQuotas["ec2/L-0263D0A3"] = 10;
    expect(await run(elasticIps)).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining("5 of 10 free") }),
    ]);
  });
});

describe("availability zones", () => {
  const withZones = (ids: string[]) =>
    world().context({
      config: stagingConfig({ "boson-kit:availabilityZoneIds": ids, "boson-kit:availabilityZones": ids.length }),
    });

  it("passes configured zone ids that exist and are available", async () => {
    expect(await run(availabilityZones, withZones(["euw1-az1", "euw1-az2"]))).toEqual([
      expect.objectContaining({ status: "pass" }),
    ]);
  });

  it("fails a zone id that is not in the region, listing the usable ones", async () => {
    // A zone id of the region's form that this account does not have (the config refuses another region's ids first).
    const [result] = failures(await run(availabilityZones, withZones(["euw1-az1", "euw1-az4"])));
    expect(result?.detail).toBe("euw1-az4 is not a zone of eu-west-1");
    expect(result?.fix).toContain("<one of euw1-az3, euw1-az1, euw1-az2>");
  });

  it("fails a zone that is not available (AWS reports impaired or constrained zones)", async () => {
    world().account.zones = world().account.zones.map((zone) =>
      zone.zoneId === "euw1-az2" ? { ...zone, state: "impaired" } : zone,
    );
    const [result] = failures(await run(availabilityZones, withZones(["euw1-az1", "euw1-az2"])));
    expect(result?.detail).toBe(
      "euw1-az2 (eu-west-1c) is impaired, opt-in-not-required, type availability-zone: not a usable zone",
    );
    expect(result?.fix).toContain("<one of euw1-az3, euw1-az1>");
  });

  it("without zone ids, fails a region with fewer usable zones than the stack wants", async () => {
    world().account.zones = world().account.zones.slice(0, 1);
    const [result] = failures(
      await run(
        availabilityZones,
        world().context({
          config: stagingConfig({ "boson-kit:availabilityZones": 2, "boson-kit:availabilityZoneIds": undefined }),
        }),
      ),
    );
    expect(result?.detail).toBe("the stack wants 2 zones and eu-west-1 has 1 usable (euw1-az3)");
  });
});
