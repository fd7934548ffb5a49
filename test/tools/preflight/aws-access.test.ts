import { describe, expect, it } from "vitest";
import { availabilityZones } from "../../../tools/preflight/availability-zones";
import { callerIsDeployer } from "../../../tools/preflight/caller-is-deployer";
import { cloudTrailManagementEvents } from "../../../tools/preflight/cloudtrail";
import { lambdaConcurrency } from "../../../tools/preflight/lambda-concurrency";
import { principalsMatchTheKey } from "../../../tools/preflight/principals";
import {
  healthyAccount,
  deployRole,
  deployerArn,
  keyAdminArn,
  keyAdminRole,
  previewerArn,
  signerAlias,
  signerPolicy,
  stagingConfig,
} from "../../harness/preflight-world";
import { failures, usePreflightWorld } from "./preflight-hooks";

/**
 * The AWS preflight checks on who acts and what is recorded: the caller, the key policy principals, CloudTrail; and the wire formats the stand-ins parsed.
 */
const { run, world } = usePreflightWorld((stub) => Object.assign(stub.account, healthyAccount()));

describe("caller is a deployer", () => {
  it("passes an SSO session whose issuer role (path read from IAM) is a deployer", async () => {
    const results = await run(callerIsDeployer);
    expect(results).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining(deployerArn) }),
    ]);
  });

  it("fails a previewer, naming the deployers and the config command", async () => {
    world().account.caller = {
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
    world().account.caller = {
      arn: "arn:aws:sts::123456789012:assumed-role/boson-kit-key-admin/alice",
      userId: "AROAKEYADMINROLE00001:alice",
    };
    expect(failures(await run(callerIsDeployer))[0]?.detail).toContain("is a key administrator");
  });

  it("fails credentials for an account outside aws:allowedAccountIds", async () => {
    const context = world().context({ stackFile: { encryptionSalt: false, allowedAccountIds: ["210987654321"] } });
    const [result] = failures(await run(callerIsDeployer, context));
    expect(result?.detail).toBe("the credentials are for account 123456789012; aws:allowedAccountIds is 210987654321");
  });

  it("fails when boson-kit:deployers is not set", async () => {
    // Built past the parser, which may itself require the key.
    const config = stagingConfig();
    const context = world().context({ config: { ...config, aws: { ...config.aws, deployers: [] } } });
    const [result] = failures(await run(callerIsDeployer, context));
    expect(result?.fix).toBe("pulumi config set --path 'boson-kit:deployers[0]' <the deploy role ARN> --stack staging");
  });

  it("matches by role name when iam:GetRole is denied (the session ARN drops the path)", async () => {
    world().account.denied.add("iam:GetRole");
    expect(await run(callerIsDeployer)).toEqual([expect.objectContaining({ status: "pass" })]);
    world().account.caller = {
      arn: "arn:aws:sts::123456789012:assumed-role/someone-else/x",
      userId: "AROASOMEONEELSE00001:x",
    };
    expect(failures(await run(callerIsDeployer))[0]?.detail).toContain("arn:aws:iam::123456789012:role/someone-else");
  });
});

describe("principals match the key", () => {
  it("passes on a first deploy: every principal exists and the key does not exist yet", async () => {
    expect(await run(principalsMatchTheKey)).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining("does not exist yet") }),
    ]);
  });

  it("passes when the live key policy names the configured principals", async () => {
    world().account.keys = [
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
    world().account.keys = [
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
    world().account.roles = world().account.roles.filter((role) => role !== keyAdminRole);
    const [result] = failures(await run(principalsMatchTheKey));
    expect(result?.detail).toBe(`${keyAdminArn} (boson-kit:kmsAdministrators) does not exist in account 123456789012`);
  });

  it("fails an ARN whose path differs from the live role's", async () => {
    const wrongPath = "arn:aws:iam::123456789012:role/AWSReservedSSO_Deploy_0a1b2c3d4e5f6a7b";
    const context = world().context({ config: stagingConfig({ "boson-kit:deployers": [wrongPath] }) });
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
    world().account.trails = [{ name: "us-only", homeRegion: "us-east-1", multiRegion: false, logging: true }];
    const [result] = failures(await run(cloudTrailManagementEvents));
    expect(result?.detail).toBe("no trail covers eu-west-1: the key-change alerts would never fire");
    expect(result?.fix).toContain("aws cloudtrail create-trail");
  });

  it("fails a trail that is stopped, or one that excludes KMS events", async () => {
    world().account.trails = [
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
    world().account.trails = [
      {
        name: "advanced",
        homeRegion: "eu-west-1",
        multiRegion: false,
        logging: true,
        advancedEventSelectors: advanced(undefined),
      },
    ];
    expect(failures(await run(cloudTrailManagementEvents))).toEqual([]);
    world().account.trails = [
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
    world().account.keys = [
      {
        alias: signerAlias,
        keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        policy: signerPolicy([keyAdminArn, deployerArn]),
      },
    ];
    await run(principalsMatchTheKey);
    const bodies = world().servers.query.requests.map((request) => request.body);
    expect(bodies).toContain("Action=GetCallerIdentity&Version=2011-06-15");
    expect(bodies).toContain(`Action=GetRole&Version=2010-05-08&RoleName=${deployRole.name}`);
    expect(bodies).toContain("Action=DescribeAvailabilityZones&Version=2016-11-15&AllAvailabilityZones=true");
    const targets = world().servers.json.requests.map(
      (request) => `${String(request.headers["x-amz-target"])} ${request.body}`,
    );
    expect(targets).toContain(`TrentService.DescribeKey {"KeyId":"${signerAlias}"}`);
    expect(targets).toContain(
      'TrentService.GetKeyPolicy {"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","PolicyName":"default"}',
    );
    expect(world().servers.restJson.requests.map((request) => `${request.method} ${request.url}`)).toContain(
      "GET /2016-08-19/account-settings",
    );
  });
});
