import type { RecordedResource, StackEvaluation } from "../../infra/offline/evaluate";

/**
 * What the stack will ask of the account and project, read from the offline
 * evaluation of the very program `pulumi up` runs: so preflight follows the
 * program (a job that stops reserving concurrency, a third NAT gateway, a
 * renamed pool) without a second list to keep in step.
 */
export interface StackNeeds {
  /** Sum of the functions' reserved concurrency (unreserved functions count 0). */
  readonly reservedConcurrency: number;
  /** The functions that reserve concurrency, as `name=N`, for the message. */
  readonly reservingFunctions: readonly string[];
  readonly natGateways: number;
  readonly elasticIps: number;
  /** The signing key's alias (`alias/boson-kit/<stack>/assistant`), if the program declares one. */
  readonly signerKeyAlias?: string;
  /** APIs the program enables itself with `projects.Service`. */
  readonly gcpServices: readonly string[];
  readonly workloadIdentityPools: readonly { readonly project: string; readonly poolId: string }[];
  readonly logBuckets: readonly { readonly project: string; readonly location: string; readonly bucketId: string }[];
}

const ofType = (resources: readonly RecordedResource[], type: string) =>
  resources.filter((resource) => resource.type === type);
const text = (value: unknown, fallback = ""): string => (typeof value === "string" ? value : fallback);

export function stackNeeds(evaluation: StackEvaluation): StackNeeds {
  const { resources, config } = evaluation;
  const reserving = ofType(resources, "aws:lambda/function:Function")
    .map((fn) => ({ name: fn.name, reserved: Number(fn.inputs.reservedConcurrentExecutions ?? -1) }))
    .filter((fn) => fn.reserved > 0);
  const signerComponents = new Set(ofType(resources, "boson-kit:signer:Signer").map((component) => component.urn));
  const signerAlias = ofType(resources, "aws:kms/alias:Alias").find(
    (alias) => alias.parent !== undefined && signerComponents.has(alias.parent),
  );
  return {
    reservedConcurrency: reserving.reduce((sum, fn) => sum + fn.reserved, 0),
    reservingFunctions: reserving.map((fn) => `${fn.name}=${fn.reserved}`),
    natGateways: ofType(resources, "aws:ec2/natGateway:NatGateway").length,
    elasticIps: ofType(resources, "aws:ec2/eip:Eip").length,
    ...(signerAlias ? { signerKeyAlias: text(signerAlias.inputs.name) } : {}),
    gcpServices: [
      ...new Set(ofType(resources, "gcp:projects/service:Service").map((service) => text(service.inputs.service))),
    ].sort(),
    workloadIdentityPools: ofType(resources, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool").map((pool) => ({
      project: text(pool.inputs.project, config.gcp.project),
      poolId: text(pool.inputs.workloadIdentityPoolId),
    })),
    logBuckets: ofType(resources, "gcp:logging/projectBucketConfig:ProjectBucketConfig").map((bucket) => ({
      project: text(bucket.inputs.project, config.gcp.project),
      location: text(bucket.inputs.location, config.gcp.region),
      bucketId: text(bucket.inputs.bucketId),
    })),
  };
}
