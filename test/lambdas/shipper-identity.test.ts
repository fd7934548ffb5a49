import { describe, expect, it } from "vitest";
import { externalAccountCredentialConfig } from "../../infra/resource-groups/gcp-identity";
import { createShipperFromEnvironment, readShipperEnvironment } from "../../lambdas/shipper/handler";
import { startCloudLoggingEndpoint } from "../harness/cloud-logging-endpoint";
import {
  context,
  events,
  fakeAwsSessionEnvironment as awsEnvironment,
  payload,
  project,
  target,
  wifAudience as audience,
  wifServiceAccountEmail as serviceAccountEmail,
} from "./shipper-fixtures";

describe("shipper: environment", () => {
  const credentialConfig = {
    type: "external_account",
    audience: "//iam.googleapis.com/projects/100000000001/locations/global/workloadIdentityPools/p/providers/aws",
    subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
    token_url: "https://sts.googleapis.com/v1/token",
    credential_source: {
      environment_id: "aws1",
      regional_cred_verification_url: "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
    },
  };
  const env = {
    GCP_PROJECT: project,
    GCP_LOG_NAME: "boson-kit-tool-calls",
    GCP_CREDENTIAL_CONFIG: JSON.stringify(credentialConfig),
    KIT_STACK: "staging",
    CONFIG_ID: "staging-80002-0",
    AWS_REGION: "eu-west-1",
  };

  it("reads the target and the WIF credential configuration", () => {
    const read = readShipperEnvironment(env);
    expect(read.target).toEqual(target);
    expect(read.context).toEqual(context);
    expect(read.credentials.type).toBe("external_account");
  });

  it("refuses a service-account key in place of the WIF configuration", () => {
    const key = { type: "service_account", private_key: "-----BEGIN PRIVATE KEY-----", client_email: "x@y" };
    expect(() => readShipperEnvironment({ ...env, GCP_CREDENTIAL_CONFIG: JSON.stringify(key) })).toThrow(
      /GCP_CREDENTIAL_CONFIG: must be WIF external_account JSON: type: must be an external_account credential configuration \(WIF\), never a key; audience: missing \(expected "audience"\)/,
    );
    expect(() => readShipperEnvironment({ ...env, GCP_PROJECT: undefined })).toThrow(
      /GCP_PROJECT: missing \(expected string\)/,
    );
  });

  it("never quotes a refused credential configuration in its error", () => {
    const pem = "-----BEGIN PRIVATE KEY-----placeholder";
    for (const config of [JSON.stringify(pem), JSON.stringify({ ...credentialConfig, audience: 7, token_url: pem })]) {
      expect(() => readShipperEnvironment({ ...env, GCP_CREDENTIAL_CONFIG: config })).toThrow(
        /GCP_CREDENTIAL_CONFIG: must be WIF external_account JSON: /,
      );
      expect(() => readShipperEnvironment({ ...env, GCP_CREDENTIAL_CONFIG: config })).not.toThrow(/PRIVATE KEY/);
    }
  });
});

describe("shipper: workload identity federation from the Lambda's AWS role (B1)", () => {
  it("exchanges a signed AWS request for a token that impersonates the writer, with the credential configuration the infra ships", async () => {
    const federated = await startCloudLoggingEndpoint({
      token: "impersonated-access-token",
      federation: { audience, serviceAccountEmail },
    });
    const saved = Object.fromEntries(Object.keys(awsEnvironment).map((key) => [key, process.env[key]]));
    Object.assign(process.env, awsEnvironment);
    try {
      const credentialConfig = externalAccountCredentialConfig({
        projectNumber: "100000000001",
        poolId: "boson-kit-staging",
        providerId: "aws-shipper",
        serviceAccountEmail,
        stsTokenUrl: `${federated.url}/v1/token`,
        iamCredentialsUrl: federated.url,
      });
      const handler = createShipperFromEnvironment(
        {
          GCP_PROJECT: project,
          GCP_LOG_NAME: "boson-kit-staging",
          GCP_CREDENTIAL_CONFIG: JSON.stringify(credentialConfig),
          KIT_STACK: "staging",
          CONFIG_ID: "staging-80002-0",
          AWS_REGION: "eu-west-1",
        },
        { apiEndpoint: federated.host, port: federated.port, protocol: "http" },
      );
      await handler(payload(events(25)));
      expect(federated.entries).toHaveLength(25);
      expect(federated.impersonations).toEqual([serviceAccountEmail]);
      expect(federated.exchanges).toHaveLength(1);
      const [exchange] = federated.exchanges;
      expect(exchange?.audience).toBe(audience);
      expect(exchange?.subjectTokenType).toBe("urn:ietf:params:aws:token-type:aws4_request");
      expect(exchange?.subjectToken.url).toBe(
        "https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
      );
      const headers = Object.fromEntries(
        (exchange?.subjectToken.headers ?? []).map(({ key, value }) => [key.toLowerCase(), value]),
      );
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=ASIAFAKEFAKEFAKEFAKE\/\d{8}\/eu-west-1\/sts\/aws4_request/,
      );
      expect(headers["x-goog-cloud-target-resource"]).toBe(audience);
      expect(headers["x-amz-security-token"]).toBe("fake-session-token");
      // The secret access key signs; it is never sent.
      expect(JSON.stringify(federated.exchanges)).not.toContain(awsEnvironment.AWS_SECRET_ACCESS_KEY);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await federated.close();
    }
  });
});
