/**
 * The GCP preflight checks, each passing and failing, read with the real
 * Google clients in REST mode (the gax Service Usage and Logging clients with
 * `fallback: "rest"`, the discovery-based IAM client with a rootUrl) from a
 * local stand-in of Google's REST APIs. A loopback guard proves that no
 * request left 127.0.0.1.
 */
import { describe, expect, it } from "vitest";
import { gcpApis } from "../../../tools/preflight/gcp-apis";
import { gcpLogBuckets } from "../../../tools/preflight/gcp-log-buckets";
import { gcpPoolIds } from "../../../tools/preflight/gcp-pool-ids";
import { healthyProject } from "../../harness/preflight-world";
import { failures, usePreflightWorld } from "./preflight-hooks";

const { run, world } = usePreflightWorld((stub) => Object.assign(stub.project, healthyProject()));

describe("GCP APIs", () => {
  it("passes when the prerequisite APIs are on, and says which ones pulumi up enables", async () => {
    world().project.enabledApis.add("logging.googleapis.com");
    expect(await run(gcpApis)).toEqual([
      expect.objectContaining({
        status: "pass",
        detail:
          "serviceusage.googleapis.com, cloudresourcemanager.googleapis.com enabled in boson-kit-staging; pulumi up enables iam.googleapis.com",
      }),
    ]);
  });

  it("fails when Cloud Resource Manager is off, with the gcloud command", async () => {
    world().project.enabledApis.delete("cloudresourcemanager.googleapis.com");
    const [result] = failures(await run(gcpApis));
    expect(result?.detail).toBe(
      "cloudresourcemanager.googleapis.com is not enabled in boson-kit-staging, and pulumi up cannot enable it",
    );
    expect(result?.fix).toBe("gcloud services enable cloudresourcemanager.googleapis.com --project boson-kit-staging");
  });

  it("fails when the Service Usage API itself is off (Google answers 403 SERVICE_DISABLED)", async () => {
    world().project.serviceUsageEnabled = false;
    const [result] = failures(await run(gcpApis));
    expect(result?.detail).toMatch(/^the Service Usage API is disabled in boson-kit-staging/);
    expect(result?.fix).toBe(
      "gcloud services enable serviceusage.googleapis.com cloudresourcemanager.googleapis.com --project boson-kit-staging",
    );
  });
});

describe("GCP workload identity pool id", () => {
  it("passes a free id", async () => {
    expect(await run(gcpPoolIds)).toEqual([
      expect.objectContaining({ status: "pass", detail: "boson-kit-staging is free in boson-kit-staging" }),
    ]);
  });

  it("passes a live pool (the stack's own once deployed)", async () => {
    world().project.pools.set("boson-kit-staging", "ACTIVE");
    expect(failures(await run(gcpPoolIds))).toEqual([]);
  });

  it("fails a soft-deleted pool, whose id stays reserved 30 days, with undelete and import", async () => {
    world().project.pools.set("boson-kit-staging", "DELETED");
    const [result] = failures(await run(gcpPoolIds));
    expect(result?.detail).toBe(
      "boson-kit-staging in boson-kit-staging is deleted and its id stays reserved for 30 days after deletion",
    );
    expect(result?.fix).toMatch(
      /^gcloud iam workload-identity-pools undelete boson-kit-staging --location=global --project=boson-kit-staging, then pulumi import /,
    );
  });
});

describe("GCP log bucket id", () => {
  it("passes a free id", async () => {
    expect(await run(gcpLogBuckets)).toEqual([
      expect.objectContaining({
        status: "pass",
        detail: "boson-kit-staging is free in boson-kit-staging/europe-west1",
      }),
    ]);
  });

  it("passes an active bucket", async () => {
    world().project.buckets.set("europe-west1/boson-kit-staging", "ACTIVE");
    expect(await run(gcpLogBuckets)).toEqual([
      expect.objectContaining({ status: "pass", detail: expect.stringContaining("(ACTIVE)") }),
    ]);
  });

  it("fails a bucket in DELETE_REQUESTED, whose id stays reserved 7 days, with undelete and import", async () => {
    world().project.buckets.set("europe-west1/boson-kit-staging", "DELETE_REQUESTED");
    const [result] = failures(await run(gcpLogBuckets));
    expect(result?.detail).toBe(
      "boson-kit-staging in boson-kit-staging/europe-west1 is deleted and its id stays reserved for 7 days after deletion",
    );
    expect(result?.fix).toMatch(
      /^gcloud logging buckets undelete boson-kit-staging --location=europe-west1 --project=boson-kit-staging/,
    );
  });

  it("refuses a wrong token: the stand-in checks the bearer token the clients send", async () => {
    world().project.token = "another-token";
    const [result] = failures(await run(gcpLogBuckets));
    expect(result?.detail).toMatch(/^could not check: /);
    expect(result?.fix).toContain("logging.buckets.get");
  });
});

describe("wire formats, as the Google clients send them", () => {
  it("gax clients ask for numeric enums over REST; the discovery client gets names", async () => {
    world().project.buckets.set("europe-west1/boson-kit-staging", "ACTIVE");
    world().project.pools.set("boson-kit-staging", "ACTIVE");
    await run(gcpApis);
    await run(gcpLogBuckets);
    await run(gcpPoolIds);
    const urls = world().servers.google.requests.map((request) => decodeURIComponent(request.url));
    expect(urls).toContain(
      "/v1/projects/boson-kit-staging/services/serviceusage.googleapis.com?$alt=json;enum-encoding=int",
    );
    expect(urls).toContain(
      "/v2/projects/boson-kit-staging/locations/europe-west1/buckets/boson-kit-staging?$alt=json;enum-encoding=int",
    );
    expect(urls).toContain("/v1/projects/boson-kit-staging/locations/global/workloadIdentityPools/boson-kit-staging");
    expect(
      world().servers.google.requests.every((request) => request.headers.authorization === "Bearer test-only-token"),
    ).toBe(true);
  });
});
