import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { jobNames, metricNames, metricsNamespace, type JobName, type MetricName } from "../../lambdas/contract";
import { kitMetricDimensions } from "../definitions/alarms";

export interface DashboardArgs {
  readonly stack: string;
  readonly region: string;
  /** Lines drawn on the gas balance graph: the alarm thresholds, in wei. */
  readonly gasThresholds: readonly { readonly label: string; readonly value: number }[];
  readonly subgraphMaxLagBlocks: number;
  /** The seller's configured token symbols: one reserve and one excess line each. */
  readonly tokenSymbols: readonly string[];
}

type Statistic = "Sum" | "Average" | "Maximum" | "Minimum" | "p90";
/** CloudWatch's metric array: namespace, name, then dimension name/value pairs, then rendering options. */
type MetricLine = (string | { readonly stat: Statistic; readonly label: string })[];

interface GraphWidget {
  readonly type: "metric";
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title: string;
    readonly region: string;
    readonly view: "timeSeries";
    readonly period: number;
    readonly metrics: MetricLine[];
    readonly annotations?: { readonly horizontal: readonly { readonly label: string; readonly value: number }[] };
  };
}

/**
 * The business and operations dashboard (checklist B2): open exchanges,
 * redemption and dispute rates, time to completion, gas spent and balance,
 * subgraph lag, the reserve kept and the excess withdrawable per token, and every job's outcomes, all read from the metrics contract.
 */
export class Dashboard extends pulumi.ComponentResource {
  public readonly dashboard: aws.cloudwatch.Dashboard;
  public readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: DashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:observability:Dashboard", name, {}, opts);

    const line = (metric: MetricName, stat: Statistic, label: string, job?: JobName): MetricLine => [
      metricsNamespace,
      metric,
      ...Object.entries(kitMetricDimensions(args.stack, metric, job)).flat(),
      { stat, label },
    ];
    // The withdraw run emits reserve and excess with a Token dimension beside the two every metric has.
    const tokenLine = (metric: MetricName, symbol: string, label: string): MetricLine => [
      metricsNamespace,
      metric,
      ...Object.entries(kitMetricDimensions(args.stack, metric)).flat(),
      "Token",
      symbol,
      { stat: "Maximum", label },
    ];
    const graph = (
      title: string,
      metrics: MetricLine[],
      annotations?: GraphWidget["properties"]["annotations"],
    ): GraphWidget => ({
      type: "metric",
      width: 12,
      height: 6,
      properties: {
        title,
        region: args.region,
        view: "timeSeries",
        period: 300,
        metrics,
        ...(annotations ? { annotations } : {}),
      },
    });

    const widgets: GraphWidget[] = [
      graph("Open exchanges", [line(metricNames.openExchanges, "Maximum", "open")]),
      graph("Redemption rate", [line(metricNames.redemptionRate, "Average", "redeemed / committed")]),
      graph("Dispute rate", [line(metricNames.disputeRate, "Average", "disputed / redeemed")]),
      graph("Time to completion (s)", [
        line(metricNames.timeToCompletionSeconds, "Average", "average"),
        line(metricNames.timeToCompletionSeconds, "p90", "p90"),
      ]),
      graph(
        "Reserve kept and excess withdrawable (wei, per token)",
        args.tokenSymbols.flatMap((symbol) => [
          tokenLine(metricNames.reserveWei, symbol, `${symbol} reserve`),
          tokenLine(metricNames.withdrawableExcessWei, symbol, `${symbol} excess`),
        ]),
      ),
      graph(
        "Gas spent (wei)",
        jobNames.map((job) => line(metricNames.gasSpentWei, "Sum", job, job)),
      ),
      graph("Gas balance (wei)", [line(metricNames.gasBalanceWei, "Minimum", "balance")], {
        horizontal: args.gasThresholds,
      }),
      graph("Subgraph lag (blocks)", [line(metricNames.subgraphLagBlocks, "Maximum", "lag")], {
        horizontal: [{ label: "alarm", value: args.subgraphMaxLagBlocks }],
      }),
      graph(
        "Job outcomes",
        jobNames.flatMap((job) => [
          line(metricNames.jobSucceeded, "Sum", `${job} succeeded`, job),
          line(metricNames.jobTransient, "Sum", `${job} transient`, job),
          line(metricNames.jobFailed, "Sum", `${job} failed`, job),
        ]),
      ),
    ];

    this.dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      // CloudWatch dashboards are the one resource here the provider does not auto-name; the stack keeps them apart.
      { dashboardName: `boson-kit-${args.stack}`, dashboardBody: JSON.stringify({ widgets }) },
      { parent: this },
    );
    this.dashboardName = this.dashboard.dashboardName;

    this.registerOutputs({ dashboardName: this.dashboardName });
  }
}
