/**
 * A local stand-in for the AWS JSON 1.1 services preflight reads: Service
 * Quotas (GetServiceQuota, GetAWSDefaultServiceQuota), CloudTrail
 * (DescribeTrails, GetTrailStatus, GetEventSelectors) and KMS (DescribeKey,
 * GetKeyPolicy, GetPublicKey). Requests are POST / with `X-Amz-Target: <prefix>.<Operation>`
 * and `Content-Type: application/x-amz-json-1.1`; errors carry `__type` in
 * the body, as the services document.
 */
import { requestId, trailArn, type FakeAwsAccount } from "./fake-aws-account";
import { sigV4Service, startLocalHttp, type LocalHttpServer, type Reply } from "./local-http";

const jsonType = "application/x-amz-json-1.1";

const ok = (body: unknown): Reply => ({
  status: 200,
  headers: { "content-type": jsonType, "x-amzn-requestid": requestId() },
  body: JSON.stringify(body),
});
const error = (status: number, type: string, message: string): Reply => ({
  status,
  headers: { "content-type": jsonType, "x-amzn-requestid": requestId() },
  body: JSON.stringify({ __type: type, message }),
});

/** Target prefixes as the SDK sends them (CloudTrail also documents the fully qualified form). */
const services: Record<string, { prefix: string[]; signingName: string }> = {
  servicequotas: { prefix: ["ServiceQuotasV20190624"], signingName: "servicequotas" },
  cloudtrail: {
    prefix: ["CloudTrail_20131101", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"],
    signingName: "cloudtrail",
  },
  kms: { prefix: ["TrentService"], signingName: "kms" },
};

function serviceQuotas(account: FakeAwsAccount, operation: string, input: Record<string, unknown>): Reply {
  const key = `${String(input.ServiceCode)}/${String(input.QuotaCode)}`;
  const value = operation === "GetServiceQuota" ? account.appliedQuotas[key] : account.defaultQuotas[key];
  if (operation !== "GetServiceQuota" && operation !== "GetAWSDefaultServiceQuota")
    return error(400, "InvalidAction", `${operation} is not served here`);
  if (value === undefined)
    return error(
      400,
      "NoSuchResourceException",
      `The request failed because the specified quota ${key} does not exist.`,
    );
  return ok({
    Quota: {
      ServiceCode: input.ServiceCode,
      ServiceName: "Amazon Elastic Compute Cloud (Amazon EC2)",
      QuotaArn: `arn:aws:servicequotas:${account.region}:${account.account}:${key}`,
      QuotaCode: input.QuotaCode,
      QuotaName: "EC2-VPC Elastic IPs",
      Value: value,
      Unit: "None",
      Adjustable: true,
      GlobalQuota: false,
    },
  });
}

function cloudTrail(account: FakeAwsAccount, operation: string, input: Record<string, unknown>): Reply {
  const findTrail = (nameOrArn: unknown) =>
    account.trails.find((trail) => trail.name === nameOrArn || trailArn(account, trail) === nameOrArn);
  if (operation === "DescribeTrails") {
    // Without includeShadowTrails, a multi-region trail shows only in its home region.
    const shadows = input.includeShadowTrails !== false;
    const trails = account.trails.filter(
      (trail) => trail.homeRegion === account.region || (shadows && trail.multiRegion),
    );
    return ok({
      trailList: trails.map((trail) => ({
        Name: trail.name,
        S3BucketName: `${trail.name}-logs`,
        IncludeGlobalServiceEvents: true,
        IsMultiRegionTrail: trail.multiRegion,
        HomeRegion: trail.homeRegion,
        TrailARN: trailArn(account, trail),
        LogFileValidationEnabled: true,
        HasCustomEventSelectors: trail.eventSelectors !== undefined || trail.advancedEventSelectors !== undefined,
        HasInsightSelectors: false,
        IsOrganizationTrail: false,
      })),
    });
  }
  if (operation === "GetTrailStatus") {
    const trail = findTrail(input.Name);
    if (!trail)
      return error(
        400,
        "TrailNotFoundException",
        `Unknown trail: ${String(input.Name)} for the user: ${account.account}`,
      );
    return ok({ IsLogging: trail.logging, LatestDeliveryTime: 1_764_500_000, StartLoggingTime: 1_764_000_000 });
  }
  if (operation === "GetEventSelectors") {
    const trail = findTrail(input.TrailName);
    if (!trail)
      return error(
        400,
        "TrailNotFoundException",
        `Unknown trail: ${String(input.TrailName)} for the user: ${account.account}`,
      );
    if (trail.advancedEventSelectors)
      return ok({ TrailARN: trailArn(account, trail), AdvancedEventSelectors: trail.advancedEventSelectors });
    return ok({
      TrailARN: trailArn(account, trail),
      EventSelectors: trail.eventSelectors ?? [
        { ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
      ],
    });
  }
  return error(400, "InvalidAction", `${operation} is not served here`);
}

function kms(account: FakeAwsAccount, operation: string, input: Record<string, unknown>): Reply {
  const keyIdOrAlias = String(input.KeyId ?? "");
  if (operation === "DescribeKey") {
    const key = account.keys.find((candidate) => candidate.alias === keyIdOrAlias || candidate.keyId === keyIdOrAlias);
    if (!key)
      return error(
        400,
        "NotFoundException",
        `Alias arn:aws:kms:${account.region}:${account.account}:${keyIdOrAlias} is not found.`,
      );
    return ok({
      KeyMetadata: {
        AWSAccountId: account.account,
        KeyId: key.keyId,
        Arn: `arn:aws:kms:${account.region}:${account.account}:key/${key.keyId}`,
        CreationDate: 1_764_000_000,
        Enabled: true,
        Description: "test key",
        KeyUsage: "SIGN_VERIFY",
        KeyState: "Enabled",
        Origin: "AWS_KMS",
        KeyManager: "CUSTOMER",
        CustomerMasterKeySpec: "ECC_SECG_P256K1",
        KeySpec: "ECC_SECG_P256K1",
        SigningAlgorithms: ["ECDSA_SHA_256"],
        MultiRegion: false,
      },
    });
  }
  if (operation === "GetKeyPolicy") {
    // Like KMS, GetKeyPolicy takes a key id or ARN, never an alias.
    const key = account.keys.find(
      (candidate) => candidate.keyId === keyIdOrAlias || keyIdOrAlias.endsWith(`:key/${candidate.keyId}`),
    );
    if (!key) return error(400, "NotFoundException", `Key '${keyIdOrAlias}' does not exist`);
    if (input.PolicyName !== undefined && input.PolicyName !== "default")
      return error(400, "NotFoundException", "The only valid policy name is default");
    return ok({ Policy: key.policy, PolicyName: "default" });
  }
  if (operation === "GetPublicKey") {
    const key = account.keys.find(
      (candidate) =>
        candidate.alias === keyIdOrAlias ||
        candidate.keyId === keyIdOrAlias ||
        keyIdOrAlias.endsWith(`:key/${candidate.keyId}`),
    );
    if (!key?.publicKey) return error(400, "NotFoundException", `Key '${keyIdOrAlias}' does not exist`);
    return ok({
      KeyId: `arn:aws:kms:${account.region}:${account.account}:key/${key.keyId}`,
      PublicKey: key.publicKey,
      KeySpec: "ECC_SECG_P256K1",
      KeyUsage: "SIGN_VERIFY",
      SigningAlgorithms: ["ECDSA_SHA_256"],
    });
  }
  return error(400, "UnsupportedOperationException", `${operation} is not served here`);
}

export async function startAwsJsonEndpoint(account: FakeAwsAccount): Promise<LocalHttpServer> {
  return startLocalHttp((request) => {
    const signedFor = sigV4Service(request.headers);
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.slice(target.lastIndexOf(".") + 1);
    const prefix = target.slice(0, target.lastIndexOf("."));
    const entry = Object.entries(services).find(([, spec]) => spec.prefix.includes(prefix));
    if (!entry) return error(400, "UnknownOperationException", `unknown target ${target}`);
    const [service, spec] = entry;
    if (signedFor !== spec.signingName)
      return error(403, "MissingAuthenticationTokenException", `Request must be signed for ${spec.signingName}`);
    if (request.method !== "POST" || request.headers["content-type"] !== jsonType)
      return error(400, "SerializationException", `expected a POST of ${jsonType}`);
    if (account.denied.has(`${service}:${operation}`)) {
      return error(
        400,
        "AccessDeniedException",
        `User: ${account.caller.arn} is not authorized to perform: ${service}:${operation}`,
      );
    }
    const input = (request.body ? JSON.parse(request.body) : {}) as Record<string, unknown>;
    if (service === "servicequotas") return serviceQuotas(account, operation, input);
    if (service === "cloudtrail") return cloudTrail(account, operation, input);
    return kms(account, operation, input);
  });
}
