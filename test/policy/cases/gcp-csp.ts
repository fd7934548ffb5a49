import { compliantStack, resource, withChange } from "../fixture-stack";
import { adding, csp, without, type Case } from "./case";

/** The GCP log side and the storefront widget's Content-Security-Policy. */
export const gcpAndCspCases: Case[] = [
  {
    policy: "gcp-no-service-account-keys",
    passes: [{ name: "workload identity only", stack: compliantStack }],
    violations: [
      {
        name: "a key",
        stack: adding(resource("gcp:serviceaccount/key:Key", "shipper-key", { serviceAccountId: "shipper" })),
        message: /shipper-key would be a long-lived credential/,
      },
    ],
  },
  {
    policy: "gcp-bigquery-dataset-not-public",
    passes: [{ name: "named access only", stack: compliantStack }],
    violations: [
      {
        name: "allUsers in accesses",
        stack: () =>
          withChange(
            "logs",
            "gcp:bigquery/dataset:Dataset",
            (i) => (i.accesses = [{ role: "READER", specialGroup: "allUsers" }]),
          ),
        message: /READER to allUsers/,
      },
      {
        name: "a public IAM member",
        stack: adding(
          resource("gcp:bigquery/datasetIamMember:DatasetIamMember", "open", {
            datasetId: "logs",
            role: "roles/bigquery.dataViewer",
            member: "allAuthenticatedUsers",
          }),
        ),
        message: /dataViewer to allAuthenticatedUsers/,
      },
    ],
  },
  {
    policy: "gcp-workload-identity-provider-restricted",
    passes: [{ name: "account and role condition", stack: compliantStack }],
    violations: [
      {
        name: "no condition",
        stack: () =>
          withChange(
            "aws",
            "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
            (i) => delete i.attributeCondition,
          ),
        message: /no attributeCondition/,
      },
    ],
  },
  {
    policy: "gcp-no-basic-roles",
    passes: [{ name: "logWriter", stack: compliantStack }],
    violations: [
      {
        name: "editor",
        stack: () => withChange("log-writer", "gcp:projects/iAMMember:IAMMember", (i) => (i.role = "roles/editor")),
        message: /basic role roles\/editor/,
      },
    ],
  },
  {
    policy: "gcp-storage-bucket-private",
    passes: [{ name: "enforced", stack: compliantStack }],
    violations: [
      {
        name: "inherited",
        stack: () =>
          withChange("archive", "gcp:storage/bucket:Bucket", (i) => (i.publicAccessPrevention = "inherited")),
        message: /inherited, not enforced/,
      },
    ],
  },
  {
    policy: "csp-widget-origin-only",
    passes: [
      {
        name: "widget origin, self and a nonce",
        stack: csp(
          "default-src 'self'; script-src 'self' 'nonce-r4nd0m' https://widgets.bosonprotocol.io; frame-src https://widgets.bosonprotocol.io; object-src 'none'",
        ),
      },
    ],
    violations: [
      { name: "any origin", stack: csp("script-src *; object-src 'none'"), message: /script-src \* allows any origin/ },
      {
        name: "unsafe-inline",
        stack: csp("script-src 'self' 'unsafe-inline' https://widgets.bosonprotocol.io; object-src 'none'"),
        message: /'unsafe-inline' lets inline/,
      },
      {
        name: "a whole scheme",
        stack: csp("script-src https: https://widgets.bosonprotocol.io; object-src 'none'"),
        message: /https: allows a whole scheme/,
      },
      {
        name: "a wildcard subdomain",
        stack: csp("script-src https://*.bosonprotocol.io; object-src 'none'"),
        message: /wildcard host/,
      },
      {
        name: "another host",
        stack: csp("script-src https://widgets.bosonprotocol.io https://cdn.example.com; object-src 'none'"),
        message: /cdn.example.com, beyond the widget origin/,
      },
      {
        name: "no widget origin",
        stack: csp("script-src 'self'; object-src 'none'"),
        message: /does not allow the widget origin/,
      },
      {
        name: "plugins allowed",
        stack: csp("script-src https://widgets.bosonprotocol.io"),
        message: /object-src is not 'none'/,
      },
      {
        name: "origin header wins",
        stack: csp("script-src https://widgets.bosonprotocol.io; object-src 'none'", false),
        message: /override is not true/,
      },
    ],
  },
  {
    policy: "stack-has-widget-csp",
    passes: [{ name: "storefront policy", stack: compliantStack }],
    violations: [
      {
        name: "none",
        stack: without("storefront", "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"),
        message: /no CloudFront response headers policy/,
      },
    ],
  },
];
