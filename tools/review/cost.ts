import type { KitConfig } from "../../infra/config";
import { metricNames } from "../../lambdas/contract";
import type { StackFacts } from "./stack-facts";
import { types } from "./stack-facts";

/**
 * The stack's fixed monthly cost: what it costs before a single exchange
 * happens (NAT gateways and their IPs, KMS keys, secrets, alarms, the
 * dashboard, custom metrics, stored logs). Usage-priced services (Lambda,
 * SQS, SNS, Scheduler, DynamoDB on demand, X-Ray, GCP logging) are listed as
 * excluded. Unit prices are AWS list prices in USD for eu-west-1 as the kit
 * last checked them; they are printed with the estimate so a reader can
 * correct them.
 */

export const hoursPerMonth = 730;

export const unitPrices = {
  natGatewayHour: { usd: 0.048, source: "Amazon VPC pricing, NAT gateway per hour (eu-west-1)" },
  publicIpv4Hour: { usd: 0.005, source: "Amazon VPC pricing, public IPv4 address per hour" },
  kmsKeyMonth: { usd: 1.0, source: "AWS KMS pricing, customer managed key per month (symmetric or asymmetric)" },
  secretMonth: { usd: 0.4, source: "AWS Secrets Manager pricing, per secret per month" },
  alarmMonth: { usd: 0.1, source: "Amazon CloudWatch pricing, standard-resolution alarm metric per month" },
  dashboardMonth: {
    usd: 3.0,
    source: "Amazon CloudWatch pricing, dashboard per month (beyond the 3 free per account)",
  },
  customMetricMonth: { usd: 0.3, source: "Amazon CloudWatch pricing, custom metric per month (first 10,000)" },
  logStorageGbMonth: { usd: 0.03, source: "Amazon CloudWatch Logs pricing, archived storage per GB-month" },
  logIngestionGb: { usd: 0.57, source: "Amazon CloudWatch Logs pricing, standard ingestion per GB (eu-west-1)" },
  interfaceEndpointHour: {
    usd: 0.01,
    source:
      "AWS PrivateLink pricing, interface endpoint per Availability Zone per hour (us-east-1 rate; a few regions charge slightly more)",
  },
  interfaceEndpointGb: { usd: 0.01, source: "AWS PrivateLink pricing, data processed per GB (first PB per region)" },
  natProcessingGb: { usd: 0.048, source: "Amazon VPC pricing, NAT gateway data processed per GB (eu-west-1)" },
} as const;

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPriceUsd: number;
  readonly monthlyUsd: number;
  readonly basis: string;
}

/**
 * What the VPC endpoints cost against what they save: each interface endpoint
 * is billed per zone per hour, while the traffic it carries (KMS, Secrets
 * Manager; DynamoDB's gateway endpoint is free) does not pay NAT data
 * processing. The endpoints are there for security (aws:SourceVpce); this says
 * what that costs.
 */
export interface EndpointCost {
  readonly interfaceEndpointZones: number;
  readonly fixedMonthlyUsd: number;
  /** AWS API traffic (KMS, Secrets Manager, DynamoDB) the jobs send per month: an assumption. */
  readonly awsApiGbPerMonth: number;
  readonly endpointProcessingUsd: number;
  readonly natProcessingSavedUsd: number;
  /** Fixed + endpoint processing - NAT processing saved: positive means the endpoints cost more. */
  readonly netMonthlyUsd: number;
  /** The monthly AWS API traffic above which the endpoints save money. */
  readonly breakEvenGb: number;
}

export interface CostEstimate {
  readonly currency: "USD";
  readonly priceRegion: string;
  readonly lines: readonly CostLine[];
  readonly totalMonthlyUsd: number;
  readonly assumptions: readonly string[];
  readonly excluded: readonly string[];
  readonly endpoints: EndpointCost;
}

export interface CostOptions {
  /** Log volume all jobs write per month, in GB (an assumption, shown in the report). */
  readonly logGbPerMonth?: number;
  /** KMS, Secrets Manager and DynamoDB traffic all jobs send per month, in GB (an assumption, shown in the report). */
  readonly awsApiGbPerMonth?: number;
}

const round = (usd: number) => Math.round(usd * 100) / 100;

export function estimateCost(config: KitConfig, facts: StackFacts, options: CostOptions = {}): CostEstimate {
  const logGb = options.logGbPerMonth ?? 1;
  const count = (type: string) => facts.ofType(type).length;
  const nats = count(types.nat);
  const eips = count(types.eip);
  // Each catalogue metric is one series per stack; job outcomes are one series per job.
  const outcomeMetrics = [metricNames.jobSucceeded, metricNames.jobTransient, metricNames.jobFailed].length;
  const metricSeries = Object.keys(metricNames).length + outcomeMetrics * Math.max(0, facts.chainJobs.length - 1);
  const storedGb = (logGb * config.logRetentionDays) / 30;
  const line = (
    item: string,
    quantity: number,
    unit: string,
    price: { usd: number; source: string },
    perUnitMonthly: number,
    basis?: string,
  ): CostLine => ({
    item,
    quantity,
    unit,
    unitPriceUsd: price.usd,
    monthlyUsd: round(quantity * perUnitMonthly),
    basis: basis ?? price.source,
  });
  const endpoints = endpointCost(facts, options.awsApiGbPerMonth ?? 1);
  const lines = [
    line(
      "NAT gateways",
      nats,
      "gateway-hour",
      unitPrices.natGatewayHour,
      unitPrices.natGatewayHour.usd * hoursPerMonth,
      `${unitPrices.natGatewayHour.source}, ${hoursPerMonth} h/month`,
    ),
    line(
      "Elastic IPs (public IPv4)",
      eips,
      "address-hour",
      unitPrices.publicIpv4Hour,
      unitPrices.publicIpv4Hour.usd * hoursPerMonth,
      `${unitPrices.publicIpv4Hour.source}, ${hoursPerMonth} h/month`,
    ),
    line(
      "VPC interface endpoints (KMS, Secrets Manager)",
      endpoints.interfaceEndpointZones,
      "endpoint-zone-hour",
      unitPrices.interfaceEndpointHour,
      unitPrices.interfaceEndpointHour.usd * hoursPerMonth,
      `${unitPrices.interfaceEndpointHour.source}, ${hoursPerMonth} h/month; the DynamoDB gateway endpoint is free`,
    ),
    line("KMS keys", count(types.key), "key-month", unitPrices.kmsKeyMonth, unitPrices.kmsKeyMonth.usd),
    line(
      "Secrets Manager secrets",
      count(types.secret),
      "secret-month",
      unitPrices.secretMonth,
      unitPrices.secretMonth.usd,
    ),
    line("CloudWatch alarms", count(types.alarm), "alarm-month", unitPrices.alarmMonth, unitPrices.alarmMonth.usd),
    line(
      "CloudWatch dashboards",
      count(types.dashboard),
      "dashboard-month",
      unitPrices.dashboardMonth,
      unitPrices.dashboardMonth.usd,
    ),
    line(
      "Custom metrics (EMF)",
      metricSeries,
      "metric-month",
      unitPrices.customMetricMonth,
      unitPrices.customMetricMonth.usd,
      `${unitPrices.customMetricMonth.source}; ${Object.keys(metricNames).length} catalogue metrics once per stack, job outcomes once per job`,
    ),
    line(
      "Log ingestion",
      logGb,
      "GB",
      unitPrices.logIngestionGb,
      unitPrices.logIngestionGb.usd,
      `${unitPrices.logIngestionGb.source}; assumes ${logGb} GB/month from all jobs`,
    ),
    line(
      "Log storage (steady state)",
      round(storedGb),
      "GB-month",
      unitPrices.logStorageGbMonth,
      unitPrices.logStorageGbMonth.usd,
      `${unitPrices.logStorageGbMonth.source}; ${logGb} GB/month kept ${config.logRetentionDays} days`,
    ),
  ].filter((l) => l.quantity > 0);
  return {
    currency: "USD",
    priceRegion: "eu-west-1 list prices",
    lines,
    totalMonthlyUsd: round(lines.reduce((sum, l) => sum + l.monthlyUsd, 0)),
    assumptions: [
      `${hoursPerMonth} hours per month`,
      `${logGb} GB of logs per month across all jobs (pass --log-gb to change)`,
      "the account's free tier (3 dashboards, 10 alarms, 10 metrics) is not subtracted",
      `stack region ${config.aws.region}; prices differ slightly by region`,
      `${endpoints.awsApiGbPerMonth} GB/month of KMS, Secrets Manager and DynamoDB traffic, which the endpoints take off the NAT gateways`,
    ],
    excluded: [
      `NAT data processing ($${unitPrices.natProcessingGb.usd}/GB) and data transfer; interface endpoint data processing ($${unitPrices.interfaceEndpointGb.usd}/GB)`,
      "Lambda invocations and duration, X-Ray traces",
      "KMS Sign / GetPublicKey requests ($0.15 per 10,000 ECC requests)",
      "SQS, SNS, EventBridge Scheduler requests",
      "DynamoDB on-demand requests, storage and point-in-time recovery (per GB)",
      "GCP Cloud Logging ingestion beyond the free 50 GiB and BigQuery storage and queries",
      "RPC provider and subgraph plans",
    ],
    endpoints,
  };
}

function endpointCost(facts: StackFacts, awsApiGbPerMonth: number): EndpointCost {
  const interfaceEndpoints = facts
    .ofType(types.vpcEndpoint)
    .filter((endpoint) => endpoint.inputs.vpcEndpointType === "Interface");
  const interfaceEndpointZones = interfaceEndpoints.reduce(
    (sum, endpoint) => sum + (Array.isArray(endpoint.inputs.subnetIds) ? endpoint.inputs.subnetIds.length : 0),
    0,
  );
  const fixedMonthlyUsd = round(interfaceEndpointZones * unitPrices.interfaceEndpointHour.usd * hoursPerMonth);
  // All three services' traffic leaves NAT; only the interface endpoints' share pays endpoint processing (DynamoDB's gateway is free).
  const endpointProcessingUsd = round(awsApiGbPerMonth * unitPrices.interfaceEndpointGb.usd);
  const natProcessingSavedUsd = round(awsApiGbPerMonth * unitPrices.natProcessingGb.usd);
  const savedPerGb = unitPrices.natProcessingGb.usd - unitPrices.interfaceEndpointGb.usd;
  return {
    interfaceEndpointZones,
    fixedMonthlyUsd,
    awsApiGbPerMonth,
    endpointProcessingUsd,
    natProcessingSavedUsd,
    netMonthlyUsd: round(fixedMonthlyUsd + endpointProcessingUsd - natProcessingSavedUsd),
    breakEvenGb: Math.ceil(fixedMonthlyUsd / savedPerGb),
  };
}
