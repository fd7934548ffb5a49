/**
 * The shipper as deployed: its bundle (infra/build/bundle.ts, with the
 * modules it leaves out) loaded with Node's own require, shipping a payload
 * through Workload Identity Federation to the local Cloud Logging endpoint.
 * Proves the bundle never touches what infra/build/left-out-modules.ts
 * leaves out, and that it carries neither the second google-gax major nor
 * zod (its environment check is valibot, as the jobs').
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { CloudWatchLogsEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleJob } from "../../infra/build/bundle";
import { externalAccountCredentialConfig } from "../../infra/resource-groups/gcp-identity";
import { bundleHandler } from "../harness/bundle";
import { startCloudLoggingEndpoint, type CloudLoggingEndpoint } from "../harness/cloud-logging-endpoint";
import { subscriptionPayload, toolCallLogEvent } from "../harness/cloudwatch-logs-payload";
import {
  fakeAwsSessionEnvironment as awsEnvironment,
  wifAudience as audience,
  wifServiceAccountEmail as serviceAccountEmail,
} from "./shipper-fixtures";

type ShipperModule = {
  handler: unknown;
  createShipperFromEnvironment(
    env: NodeJS.ProcessEnv,
    clientOptions: { apiEndpoint: string; port: number; protocol: "http" },
  ): (event: CloudWatchLogsEvent) => Promise<{ entries: number }>;
};

let endpoint: CloudLoggingEndpoint;
let shipper: ShipperModule;
const saved = Object.fromEntries(Object.keys(awsEnvironment).map((key) => [key, process.env[key]]));

beforeAll(async () => {
  endpoint = await startCloudLoggingEndpoint({
    token: "impersonated-access-token",
    federation: { audience, serviceAccountEmail },
  });
  const { file } = await bundleHandler("shipper");
  shipper = createRequire(file)(file) as ShipperModule;
  Object.assign(process.env, awsEnvironment);
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await endpoint?.close();
});

describe("the shipper bundle", () => {
  it("ships a payload through WIF to Cloud Logging's REST API, from its bundle alone", async () => {
    expect(typeof shipper.handler).toBe("function");
    const ship = shipper.createShipperFromEnvironment(
      {
        GCP_PROJECT: "boson-kit-staging",
        GCP_LOG_NAME: "boson-kit-staging",
        GCP_CREDENTIAL_CONFIG: JSON.stringify(
          externalAccountCredentialConfig({
            projectNumber: "100000000001",
            poolId: "boson-kit-staging",
            providerId: "aws-shipper",
            serviceAccountEmail,
            stsTokenUrl: `${endpoint.url}/v1/token`,
            iamCredentialsUrl: endpoint.url,
          }),
        ),
        KIT_STACK: "staging",
        CONFIG_ID: "staging-80002-0",
        AWS_REGION: "eu-west-1",
      },
      { apiEndpoint: endpoint.host, port: endpoint.port, protocol: "http" },
    );
    const start = Date.UTC(2026, 10, 28, 12, 0, 0);
    const events = Array.from({ length: 30 }, (_, index) => toolCallLogEvent(index, { start }));
    const result = await ship(
      subscriptionPayload(events, {
        messageType: "DATA_MESSAGE",
        logGroup: "/aws/lambda/boson-kit-staging-withdraw",
        logStream: "2026/11/28/[$LATEST]abc",
        subscriptionFilters: ["boson-kit-withdraw-to-gcp"],
      }),
    );
    expect(result.entries).toBe(30);
    expect(endpoint.entries.map((entry) => entry.jsonPayload?.sequence)).toEqual(
      Array.from({ length: 30 }, (_, index) => index),
    );
    expect(endpoint.impersonations).toEqual([serviceAccountEmail]);
    expect(endpoint.clientHeaders[0]).toMatch(/ rest\/\S+ gccl\//);
  });

  it("leaves out the static protos (its API's and google-gax's), the second google-gax major and zod", async () => {
    const { code, sourceMap } = await bundleJob("shipper");
    const sources = (JSON.parse(sourceMap) as { sources: string[] }).sources;
    expect(sources.some((source) => source.endsWith("@google-cloud/logging-api/build/protos/protos.js"))).toBe(false);
    expect(sources.filter((source) => /google-gax\/build\/protos\/[a-z_]+\.js$/.test(source))).toEqual([]);
    expect(code).toContain("is left out of this bundle");
    const gaxCopies = new Set(
      sources
        .filter((source) => /node_modules\/google-gax\/build\/src\/index\.js$/.test(source))
        .map((source) => dirname(source)),
    );
    expect(gaxCopies.size).toBe(1);
    expect(sources.some((source) => /node_modules\/zod\//.test(source))).toBe(false);
  });
});
