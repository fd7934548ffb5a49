import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@aws-sdk/types";

/** The AWS SDK v3 clients preflight reads with: each in the stack's region (IAM is global). */
export interface AwsClients {
  readonly sts: STSClient;
  readonly iam: IAMClient;
  readonly ec2: EC2Client;
  readonly lambda: LambdaClient;
  readonly serviceQuotas: ServiceQuotasClient;
  readonly cloudTrail: CloudTrailClient;
  readonly kms: KMSClient;
}

export interface AwsClientOptions {
  readonly region: string;
  /** Endpoint per client (tests: local stand-ins); unset means the service's public endpoint. */
  readonly endpoints?: Partial<Record<keyof AwsClients, string>>;
  /** Unset means the SDK's default chain: the caller's own profile, SSO session or environment. */
  readonly credentials?: AwsCredentialIdentity;
}

export function createAwsClients(options: AwsClientOptions): AwsClients {
  const base = (client: keyof AwsClients) => ({
    region: options.region,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.endpoints?.[client] ? { endpoint: options.endpoints[client] } : {}),
  });
  return {
    sts: new STSClient(base("sts")),
    iam: new IAMClient(base("iam")),
    ec2: new EC2Client(base("ec2")),
    lambda: new LambdaClient(base("lambda")),
    serviceQuotas: new ServiceQuotasClient(base("serviceQuotas")),
    cloudTrail: new CloudTrailClient(base("cloudTrail")),
    kms: new KMSClient(base("kms")),
  };
}
