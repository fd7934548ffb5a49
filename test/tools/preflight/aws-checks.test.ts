/**
 * The AWS preflight checks, each passing and failing, read with the real AWS
 * SDK v3 clients from local stand-ins of the three AWS wire protocol
 * families (query/XML, JSON 1.1, REST-JSON). A loopback guard proves that no
 * request left 127.0.0.1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { availabilityZones } from "../../../tools/preflight/availability-zones";
import { callerIsDeployer } from "../../../tools/preflight/caller-is-deployer";
import type { CheckResult, PreflightCheck, PreflightContext } from "../../../tools/preflight/check";
import { cloudTrailManagementEvents } from "../../../tools/preflight/cloudtrail";
import { elasticIps } from "../../../tools/preflight/elastic-ips";
import { lambdaConcurrency } from "../../../tools/preflight/lambda-concurrency";
import { principalsMatchTheKey } from "../../../tools/preflight/principals";
import { runCheck } from "../../../tools/preflight/run";
import { installLoopbackGuard, type LoopbackGuard } from "../../harness/loopback-guard";
import {
  deployRole,
  deployerArn,
  healthyAccount,
  keyAdminArn,
  keyAdminRole,
  previewerArn,
  signerAlias,
  signerPolicy,
  stagingConfig,
  stagingNeeds,
  startPreflightWorld,
  type PreflightWorld,
} from "../../harness/preflight-world";

let guard: LoopbackGuard;
let world: PreflightWorld;

beforeAll(async () => {
  guard = installLoopbackGuard();
  world = await startPreflightWorld();
});

afterEach(() => {
  // Every test starts from the healthy account and changes one thing.
  Object.assign(world.account, healthyAccount());
});

afterAll(async () => {
  await world?.close();
  guard?.uninstall();
  expect(guard.refused).toEqual([]);
  expect(guard.connections.length).toBeGreaterThan(0);
  expect(guard.connections.every((target) => target.startsWith("127.0.0.1:"))).toBe(true);
});

async function run(check: PreflightCheck, context: PreflightContext = world.context()): Promise<CheckResult[]> {
  return runCheck(check, context);
}

const failures = (results: readonly CheckResult[]) => results.filter((result) => result.status === "fail");

describe("caller is a deployer", () => {
  it("passes an SSO session whose issuer role (path read from IAM) is a deployer", async () => {
    const results = await run(callerIsDeployer);
    expect(results).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining(deployerArn) }),
    ]);
  });

  it("fails a previewer, naming the deployers and the config command", async () => {
    world.account.caller = {
      arn: "arn:aws:sts::123456789012:assumed-role/boson-kit-preview/ci",
      userId: "AROAPREVIEWROLE00001:ci",
    };
    const [result, ...rest] = await run(callerIsDeployer);
    expect(rest).toEqual([]);
    expect(result).toMatchObject({
      status: "fail",
      detail: `${previewerArn} (session arn:aws:sts::123456789012:assumed-role/boson-kit-preview/ci) is a previewer (pulumi preview only, no secret decryption)`,
    });
    expect(result?.fix).toContain(`pulumi config set --path 'boson-kit:deployers[1]' ${previewerArn} --stack staging`);
  });

  it("fails a key administrator, who manages keys but does not deploy", async () => {
    world.account.caller = {
      arn: "arn:aws:sts::123456789012:assumed-role/boson-kit-key-admin/alice",
      userId: "AROAKEYADMINROLE00001:alice",
    };
    expect(failures(await run(callerIsDeployer))[0]?.detail).toContain("is a key administrator");
  });

  it("fails credentials for an account outside aws:allowedAccountIds", async () => {
    const context = world.context({ stackFile: { encryptionSalt: false, allowedAccountIds: ["210987654321"] } });
    const [result] = failures(await run(callerIsDeployer, context));
    expect(result?.detail).toBe("the credentials are for account 123456789012; aws:allowedAccountIds is 210987654321");
  });

  it("fails when boson-kit:deployers is not set", async () => {
    // Built past the parser, which may itself require the key.
    const config = stagingConfig();
    const context = world.context({ config: { ...config, aws: { ...config.aws, deployers: [] } } });
    const [result] = failures(await run(callerIsDeployer, context));
    expect(result?.fix).toBe("pulumi config set --path 'boson-kit:deployers[0]' <the deploy role ARN> --stack staging");
  });

  it("matches by role name when iam:GetRole is denied (the session ARN drops the path)", async () => {
    world.account.denied.add("iam:GetRole");
    expect(await run(callerIsDeployer)).toEqual([expect.objectContaining({ status: "pass" })]);
    world.account.caller = {
      arn: "arn:aws:sts::123456789012:assumed-role/someone-else/x",
      userId: "AROASOMEONEELSE00001:x",
    };
    expect(failures(await run(callerIsDeployer))[0]?.detail).toContain("arn:aws:iam::123456789012:role/someone-else");
  });
});

describe("Lambda concurrency", () => {
  it("passes when the limit leaves 100 unreserved after the stack's reservation", async () => {
    expect(await run(lambdaConcurrency)).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining("leaving 999") }),
    ]);
  });

  it("fails a new account's limit of 10 with the Service Quotas request for L-B99A9384", async () => {
    world.account.lambda = { concurrentExecutions: 10, unreservedConcurrentExecutions: 10 };
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
    world.account.lambda = { concurrentExecutions: 100, unreservedConcurrentExecutions: 100 };
    expect(failures(await run(lambdaConcurrency))).toHaveLength(1);
    world.account.lambda = { concurrentExecutions: 101, unreservedConcurrentExecutions: 101 };
    expect(failures(await run(lambdaConcurrency))).toHaveLength(0);
  });

  it("fails when other functions reserve so much that fewer than 100 would stay unreserved", async () => {
    world.account.lambda = { concurrentExecutions: 1000, unreservedConcurrentExecutions: 100 };
    const [result] = failures(await run(lambdaConcurrency));
    expect(result?.detail).toContain("only 100 of 1000 executions are unreserved");
    expect(result?.fix).toContain("aws lambda delete-function-concurrency");
  });

  it("once the stack is deployed (its key exists), counts its own reservation among the reserved", async () => {
    world.account.lambda = { concurrentExecutions: 1000, unreservedConcurrentExecutions: 100 };
    world.account.keys = [
      {
        alias: signerAlias,
        keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        policy: signerPolicy([keyAdminArn, deployerArn]),
      },
    ];
    expect(await run(lambdaConcurrency)).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining("already deployed here") }),
    ]);
    world.account.lambda = { concurrentExecutions: 10, unreservedConcurrentExecutions: 10 };
    expect(failures(await run(lambdaConcurrency))).toHaveLength(1);
  });

  it("passes without calling Lambda when the stack reserves nothing", async () => {
    world.account.denied.add("lambda:GetAccountSettings");
    const results = await run(
      lambdaConcurrency,
      world.context({ needs: stagingNeeds({ reservedConcurrency: 0, reservingFunctions: [] }) }),
    );
    expect(results).toEqual([expect.objectContaining({ status: "pass", detail: "the stack reserves no concurrency" })]);
  });

  it("reports a denied call as a failure that names the permission", async () => {
    world.account.denied.add("lambda:GetAccountSettings");
    const [result] = failures(await run(lambdaConcurrency));
    expect(result?.detail).toMatch(/^could not check: AccessDeniedException: /);
    expect(result?.fix).toContain("lambda:GetAccountSettings");
  });
});

describe("Elastic IP quota", () => {
  it("passes on the default quota (no applied value) with addresses to spare", async () => {
    world.account.addresses = [{ publicIp: "198.51.100.7", allocationId: "eipalloc-0000000000000001" }];
    expect(await run(elasticIps)).toEqual([
      expect.objectContaining({ status: "pass", detail: "1 NAT gateway needs 1 Elastic IP; 4 of 5 free in eu-west-1" }),
    ]);
  });

  it("fails when the allocated addresses leave fewer than the NAT gateways need", async () => {
    world.account.addresses = [1, 2, 3, 4].map((n) => ({
      publicIp: `198.51.100.${n}`,
      allocationId: `eipalloc-000000000000000${n}`,
    }));
    const context = world.context({ needs: stagingNeeds({ natGateways: 2, elasticIps: 2 }) });
    const [result] = failures(await run(elasticIps, context));
    expect(result?.detail).toContain(
      "2 NAT gateways need 2 Elastic IPs; the quota in eu-west-1 is 5 and 4 are allocated, so 1 are free",
    );
    expect(result?.fix).toContain("--service-code ec2 --quota-code L-0263D0A3 --desired-value 6 --region eu-west-1");
  });

  it("once the stack is deployed, its NAT gateways' addresses are among the allocated", async () => {
    world.account.addresses = [1, 2, 3, 4, 5].map((n) => ({
      publicIp: `198.51.100.${n}`,
      allocationId: `eipalloc-000000000000000${n}`,
    }));
    world.account.keys = [
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
    world.account.addresses = [1, 2, 3, 4, 5].map((n) => ({
      publicIp: `198.51.100.${n}`,
      allocationId: `eipalloc-000000000000000${n}`,
    }));
    expect(failures(await run(elasticIps))).toHaveLength(1);
    world.account.appliedQuotas["ec2/L-0263D0A3"] = 10;
    expect(await run(elasticIps)).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining("5 of 10 free") }),
    ]);
  });
});

describe("availability zones", () => {
  const withZones = (ids: string[]) =>
    world.context({
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
    world.account.zones = world.account.zones.map((zone) =>
      zone.zoneId === "euw1-az2" ? { ...zone, state: "impaired" } : zone,
    );
    const [result] = failures(await run(availabilityZones, withZones(["euw1-az1", "euw1-az2"])));
    expect(result?.detail).toBe(
      "euw1-az2 (eu-west-1c) is impaired, opt-in-not-required, type availability-zone: not a usable zone",
    );
    expect(result?.fix).toContain("<one of euw1-az3, euw1-az1>");
  });

  it("without zone ids, fails a region with fewer usable zones than the stack wants", async () => {
    world.account.zones = world.account.zones.slice(0, 1);
    const [result] = failures(
      await run(
        availabilityZones,
        world.context({
          config: stagingConfig({ "boson-kit:availabilityZones": 2, "boson-kit:availabilityZoneIds": undefined }),
        }),
      ),
    );
    expect(result?.detail).toBe("the stack wants 2 zones and eu-west-1 has 1 usable (euw1-az3)");
  });
});

describe("principals match the key", () => {
  it("passes on a first deploy: every principal exists and the key does not exist yet", async () => {
    expect(await run(principalsMatchTheKey)).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining("does not exist yet") }),
    ]);
  });

  it("passes when the live key policy names the configured principals", async () => {
    world.account.keys = [
      {
        alias: signerAlias,
        keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        policy: signerPolicy([keyAdminArn, deployerArn]),
      },
    ];
    expect(await run(principalsMatchTheKey)).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining("names the same principals") }),
    ]);
  });

  it("fails an SSO role deleted and recreated: the policy names the old unique id", async () => {
    world.account.keys = [
      {
        alias: signerAlias,
        keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        policy: signerPolicy([keyAdminArn, "AROAOLDDEPLOYROLE0001"]),
      },
    ];
    const [result, ...rest] = failures(await run(principalsMatchTheKey));
    expect(rest).toEqual([]);
    expect(result?.detail).toBe(
      `the policy of ${signerAlias} (1234abcd-12ab-34cd-56ef-1234567890ab) names AROAOLDDEPLOYROLE0001 (deleted principals) and not ${deployerArn}, now ${deployRole.roleId}: it was deleted and recreated`,
    );
    expect(result?.fix).toContain(
      "aws kms put-key-policy --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --policy-name default",
    );
  });

  it("fails a configured principal that does not exist", async () => {
    world.account.roles = world.account.roles.filter((role) => role !== keyAdminRole);
    const [result] = failures(await run(principalsMatchTheKey));
    expect(result?.detail).toBe(`${keyAdminArn} (boson-kit:kmsAdministrators) does not exist in account 123456789012`);
  });

  it("fails an ARN whose path differs from the live role's", async () => {
    const wrongPath = "arn:aws:iam::123456789012:role/AWSReservedSSO_Deploy_0a1b2c3d4e5f6a7b";
    const context = world.context({ config: stagingConfig({ "boson-kit:deployers": [wrongPath] }) });
    const [result] = failures(await run(principalsMatchTheKey, context));
    expect(result?.detail).toBe(`${wrongPath} (boson-kit:deployers) exists as ${deployerArn} (another path)`);
  });
});

describe("CloudTrail management events", () => {
  it("passes a logging multi-region trail from another home region (a shadow trail here)", async () => {
    expect(await run(cloudTrailManagementEvents)).toEqual([
      expect.objectContaining({
        status: "pass",
        detail: "management-events logs write management events (KMS included) in eu-west-1",
      }),
    ]);
  });

  it("fails when no trail covers the region", async () => {
    world.account.trails = [{ name: "us-only", homeRegion: "us-east-1", multiRegion: false, logging: true }];
    const [result] = failures(await run(cloudTrailManagementEvents));
    expect(result?.detail).toBe("no trail covers eu-west-1: the key-change alerts would never fire");
    expect(result?.fix).toContain("aws cloudtrail create-trail");
  });

  it("fails a trail that is stopped, or one that excludes KMS events", async () => {
    world.account.trails = [
      { name: "stopped", homeRegion: "eu-west-1", multiRegion: false, logging: false },
      {
        name: "no-kms",
        homeRegion: "eu-west-1",
        multiRegion: false,
        logging: true,
        eventSelectors: [
          {
            ReadWriteType: "All",
            IncludeManagementEvents: true,
            DataResources: [],
            ExcludeManagementEventSources: ["kms.amazonaws.com"],
          },
        ],
      },
    ];
    const [result] = failures(await run(cloudTrailManagementEvents));
    expect(result?.detail).toBe(
      "no trail records KMS management events in eu-west-1: stopped is not logging; no-kms does not record write management events from kms.amazonaws.com",
    );
  });

  it("reads advanced event selectors: Management events pass, read-only ones do not", async () => {
    const advanced = (readOnly: string[] | undefined) => [
      {
        Name: "management",
        FieldSelectors: [
          { Field: "eventCategory", Equals: ["Management"] },
          ...(readOnly ? [{ Field: "readOnly", Equals: readOnly }] : []),
        ],
      },
    ];
    world.account.trails = [
      {
        name: "advanced",
        homeRegion: "eu-west-1",
        multiRegion: false,
        logging: true,
        advancedEventSelectors: advanced(undefined),
      },
    ];
    expect(failures(await run(cloudTrailManagementEvents))).toEqual([]);
    world.account.trails = [
      {
        name: "advanced",
        homeRegion: "eu-west-1",
        multiRegion: false,
        logging: true,
        advancedEventSelectors: advanced(["true"]),
      },
    ];
    expect(failures(await run(cloudTrailManagementEvents))).toHaveLength(1);
  });
});

describe("wire formats, as the SDK sends them", () => {
  it("sent query, EC2 query, JSON 1.1 and REST-JSON requests the stand-ins parsed", async () => {
    await run(callerIsDeployer);
    await run(availabilityZones);
    await run(lambdaConcurrency);
    world.account.keys = [
      {
        alias: signerAlias,
        keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        policy: signerPolicy([keyAdminArn, deployerArn]),
      },
    ];
    await run(principalsMatchTheKey);
    const bodies = world.servers.query.requests.map((request) => request.body);
    expect(bodies).toContain("Action=GetCallerIdentity&Version=2011-06-15");
    expect(bodies).toContain(`Action=GetRole&Version=2010-05-08&RoleName=${deployRole.name}`);
    expect(bodies).toContain("Action=DescribeAvailabilityZones&Version=2016-11-15&AllAvailabilityZones=true");
    const targets = world.servers.json.requests.map(
      (request) => `${String(request.headers["x-amz-target"])} ${request.body}`,
    );
    expect(targets).toContain(`TrentService.DescribeKey {"KeyId":"${signerAlias}"}`);
    expect(targets).toContain(
      'TrentService.GetKeyPolicy {"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","PolicyName":"default"}',
    );
    expect(world.servers.restJson.requests.map((request) => `${request.method} ${request.url}`)).toContain(
      "GET /2016-08-19/account-settings",
    );
  });
});
