import { metricNames } from "../../../lambdas/contract";
import { asRecord, asString } from "../../../infra/policy/rules/props";
import type { Evidence } from "../report";
import { types } from "../stack-facts";
import { fact, policyEvidence, result, testEvidence, type ItemEvaluator, type ReviewContext } from "./context";
import { alarmEvidence } from "./hygiene";

/** B1..B4: logs and their pipeline, dashboards, alerts, tracing. */

function logPipelineEvidence(context: ReviewContext): Evidence[] {
  const { facts } = context;
  const evidence: Evidence[] = facts.jobs.map((job) =>
    fact(
      "resource",
      job.fn.name,
      job.logGroup
        ? `logs to ${job.logGroup.name} (retention ${String(job.logGroup.inputs.retentionInDays)} days)`
        : "no log group of this stack",
      job.logGroup !== undefined,
    ),
  );
  const filters = facts.ofType(types.logSubscription);
  // The shipper forwards the others' logs; its own stay in CloudWatch (no loop).
  const shippable = facts.jobs.filter((job) => job.job !== "shipper");
  const shipped = shippable.filter(
    (job) =>
      job.logGroup &&
      filters.some(
        (f) =>
          f.inputs.logGroup === job.logGroup?.inputs.name ||
          facts.resolve(f.inputs.logGroup)?.urn === job.logGroup?.urn,
      ),
  );
  evidence.push(
    fact(
      "resource",
      filters.map((f) => f.name).join(", ") || "aws:cloudwatch/logSubscriptionFilter",
      filters.length > 0
        ? `${shipped.length} of ${shippable.length} job log groups are shipped by subscription`
        : "no log subscription: records stay in CloudWatch, nothing ships them to GCP for search and replay",
      filters.length > 0 && shipped.length === shippable.length,
    ),
  );
  const gcpSinks = facts.custom.filter(
    (r) => r.type.startsWith("gcp:logging/") || r.type === "gcp:bigquery/dataset:Dataset",
  );
  evidence.push(
    fact(
      "resource",
      gcpSinks.map((r) => r.name).join(", ") || "gcp:logging/*",
      gcpSinks.length > 0
        ? "GCP side: log bucket / sink / BigQuery dataset for search and replay"
        : "no GCP log bucket, sink or BigQuery dataset in the stack",
      gcpSinks.length > 0,
    ),
  );
  return evidence;
}

const B1: ItemEvaluator = (context) =>
  result(
    "B1",
    [
      ...logPipelineEvidence(context),
      ...policyEvidence(context, ["log-group-retention", "log-group-cmk"]),
      ...(context.facts.custom.some((r) => r.type.startsWith("gcp:"))
        ? policyEvidence(context, [
            "gcp-no-service-account-keys",
            "gcp-bigquery-dataset-not-public",
            "gcp-workload-identity-provider-restricted",
            "gcp-no-basic-roles",
          ])
        : []),
      ...testEvidence(context, "B1", true),
    ],
    { pass: "every job logs structured records that reach GCP for search and replay" },
  );

/** Metric names a dashboard body plots. */
export function dashboardMetrics(body: unknown): Set<string> {
  const metrics = new Set<string>();
  let parsed: unknown = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch {
      return metrics;
    }
  }
  const widgets = Array.isArray(asRecord(parsed).widgets) ? (asRecord(parsed).widgets as unknown[]) : [];
  for (const widget of widgets) {
    const series = asRecord(asRecord(widget).properties).metrics;
    for (const line of Array.isArray(series) ? series : []) {
      // A metric line is [namespace, name, dim, value, ...] or ["...", name, ...] repeating the previous namespace.
      if (Array.isArray(line) && typeof line[1] === "string") metrics.add(line[1]);
    }
  }
  return metrics;
}

const B2: ItemEvaluator = (context) => {
  const dashboards = context.facts.ofType(types.dashboard);
  const plotted = new Set(dashboards.flatMap((d) => [...dashboardMetrics(d.inputs.dashboardBody)]));
  const wanted = [
    metricNames.openExchanges,
    metricNames.redemptionRate,
    metricNames.disputeRate,
    metricNames.timeToCompletionSeconds,
    metricNames.gasSpentWei,
  ];
  const evidence: Evidence[] = wanted.map((metric) =>
    fact(
      "resource",
      dashboards.map((d) => asString(d.inputs.dashboardName) ?? d.name).join(", ") || "aws:cloudwatch/dashboard",
      plotted.has(metric) ? `plots ${metric}` : `does not plot ${metric}`,
      plotted.has(metric),
    ),
  );
  return result("B2", evidence, {
    pass: "the dashboard plots open exchanges, redemption and dispute rates, time to completion and gas spent",
  });
};

const B3: ItemEvaluator = (context) => {
  const { config, facts } = context;
  const subscriptions = facts.ofType(types.topicSubscription);
  const endpoints = [...config.alerts.emails, ...config.alerts.httpsEndpoints];
  const evidence: Evidence[] = [
    alarmEvidence(context, metricNames.disputeRaised, "a dispute raised"),
    alarmEvidence(context, metricNames.disputesOpenOverOneDay, "a dispute open over a day"),
    alarmEvidence(context, metricNames.gasBalanceWei, "wallet balance low"),
    alarmEvidence(context, metricNames.subgraphLagBlocks, "subgraph stale"),
    ...endpoints.map((endpoint) => {
      const subscribed = subscriptions.some((s) => s.inputs.endpoint === endpoint);
      return fact(
        "resource",
        "aws:sns/topicSubscription",
        subscribed ? `${endpoint} is subscribed to the alerts topic` : `${endpoint} (config) is not subscribed`,
        subscribed,
      );
    }),
    ...policyEvidence(context, ["alarm-has-action", "sns-topic-cmk"]),
  ];
  return result("B3", evidence, {
    pass: `disputes, stale disputes, low balance and a stale subgraph alert ${endpoints.length} recipient(s)`,
  });
};

const B4: ItemEvaluator = (context) =>
  result("B4", [...policyEvidence(context, ["lambda-xray-tracing"]), ...testEvidence(context, "B4", true)], {
    pass: "every job is traced by X-Ray and forwards the trace id to RPC, relayer and subgraph calls",
  });

export const observabilityItems = { B1, B2, B3, B4 };
