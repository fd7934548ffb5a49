import * as gcp from "@pulumi/gcp";
import { validateResourceOfType } from "@pulumi/policy";
import { resourcePolicy, stackPolicy, type KitPolicy } from "../kit-policy";
import { asRecord, asString, asStrings } from "./props";

/**
 * The log pipeline's GCP side (B1): AWS reaches GCP through workload
 * identity federation, never a downloaded service-account key, and the log
 * records (which name exchanges and addresses) are never public.
 */

const publicMembers = new Set(["allUsers", "allAuthenticatedUsers"]);
const basicRoles = new Set(["roles/owner", "roles/editor", "roles/viewer"]);

const isPublic = (member: string | undefined) =>
  member !== undefined && (publicMembers.has(member) || publicMembers.has(member.split(":").pop() ?? ""));

export const gcpPolicies: KitPolicy[] = [
  stackPolicy(
    { checklist: ["B1", "S1"], checkov: ["CKV2_GCP_3"] },
    {
      // A stack policy: the absence of keys is what passes.
      name: "gcp-no-service-account-keys",
      description: "No service-account key is created: the shipper authenticates through workload identity federation.",
      remediationSteps:
        "Remove the gcp.serviceaccount.Key; grant roles/iam.workloadIdentityUser to the pool's AWS principal instead.",
      validateStack: (args, reportViolation) => {
        for (const key of args.resources.filter((r) => r.isType(gcp.serviceaccount.Key))) {
          reportViolation(
            `service-account key ${key.name} would be a long-lived credential outside any managed signer or secret store`,
            key.urn,
          );
        }
      },
    },
  ),
  resourcePolicy(
    { checklist: ["B1"], checkov: ["CKV_GCP_15"], trivy: ["AVD-GCP-0046"] },
    {
      name: "gcp-bigquery-dataset-not-public",
      description: "No BigQuery dataset (or dataset IAM grant) gives access to allUsers or allAuthenticatedUsers.",
      remediationSteps: "Grant dataset access to named service accounts or groups only.",
      validateResource: [
        validateResourceOfType(gcp.bigquery.Dataset, (dataset, _args, reportViolation) => {
          for (const access of Array.isArray(dataset.accesses) ? dataset.accesses.map(asRecord) : []) {
            const member = asString(access.specialGroup) ?? asString(access.iamMember);
            if (isPublic(member))
              reportViolation(`dataset access grants ${asString(access.role) ?? "a role"} to ${member}`);
          }
        }),
        validateResourceOfType(gcp.bigquery.DatasetIamMember, (grant, _args, reportViolation) => {
          if (isPublic(asString(grant.member))) reportViolation(`grants ${grant.role} to ${grant.member}`);
        }),
        validateResourceOfType(gcp.bigquery.DatasetIamBinding, (binding, _args, reportViolation) => {
          for (const member of asStrings(binding.members).filter(isPublic))
            reportViolation(`grants ${binding.role} to ${member}`);
        }),
        validateResourceOfType(gcp.bigquery.DatasetAccess, (access, _args, reportViolation) => {
          const member = asString(access.specialGroup) ?? asString(access.iamMember);
          if (isPublic(member)) reportViolation(`grants ${access.role ?? "a role"} to ${member}`);
        }),
      ],
    },
  ),
  resourcePolicy(
    { checklist: ["B1"], checkov: ["CKV_GCP_118"], trivy: ["AVD-GCP-0068"] },
    {
      name: "gcp-workload-identity-provider-restricted",
      description:
        "The workload identity provider accepts only the kit's AWS account, with an attribute condition naming the shipper's role.",
      remediationSteps:
        'Set aws.accountId and an attributeCondition such as `attribute.aws_role == "arn:aws:sts::<account>:assumed-role/<shipper-role>"`.',
      validateResource: validateResourceOfType(
        gcp.iam.WorkloadIdentityPoolProvider,
        (provider, _args, reportViolation) => {
          if (asString(provider.attributeCondition) === undefined) {
            reportViolation(
              "no attributeCondition: every identity the provider trusts could impersonate the log writer",
            );
          }
          const awsBlock = asRecord(provider.aws);
          if (provider.aws !== undefined && asString(awsBlock.accountId) === undefined)
            reportViolation("aws.accountId is not set");
        },
      ),
    },
  ),
  resourcePolicy(
    { checklist: ["B1"], checkov: ["CKV_GCP_117"], trivy: ["AVD-GCP-0007"] },
    {
      name: "gcp-no-basic-roles",
      description:
        "No project IAM grant uses a basic role (owner, editor, viewer); the log writer gets roles/logging.logWriter only.",
      remediationSteps:
        "Grant the narrowest predefined role (roles/logging.logWriter, roles/bigquery.dataEditor on the dataset).",
      validateResource: [
        validateResourceOfType(gcp.projects.IAMMember, (grant, _args, reportViolation) => {
          if (basicRoles.has(grant.role)) reportViolation(`grants the basic role ${grant.role} to ${grant.member}`);
        }),
        validateResourceOfType(gcp.projects.IAMBinding, (binding, _args, reportViolation) => {
          if (basicRoles.has(binding.role))
            reportViolation(`grants the basic role ${binding.role} to ${asStrings(binding.members).join(", ")}`);
        }),
      ],
    },
  ),
  resourcePolicy(
    { checklist: ["B1"], checkov: ["CKV_GCP_114", "CKV_GCP_29"], trivy: ["AVD-GCP-0002"] },
    {
      name: "gcp-storage-bucket-private",
      description: "Any Cloud Storage bucket enforces public access prevention and uniform bucket-level access.",
      remediationSteps: 'Set publicAccessPrevention: "enforced" and uniformBucketLevelAccess: true.',
      validateResource: validateResourceOfType(gcp.storage.Bucket, (bucket, _args, reportViolation) => {
        if (bucket.publicAccessPrevention !== "enforced")
          reportViolation(`publicAccessPrevention is ${bucket.publicAccessPrevention ?? "(unset)"}, not enforced`);
        if (bucket.uniformBucketLevelAccess !== true) reportViolation("uniformBucketLevelAccess is not true");
      }),
    },
  ),
];
