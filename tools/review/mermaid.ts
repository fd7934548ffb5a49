import type { KitConfig } from "../../infra/config";
import type { RecordedResource } from "../../infra/offline/evaluate";
import { asString } from "../../infra/policy/rules/props";
import { types, type JobFacts, type StackFacts } from "./stack-facts";

/**
 * The stack as a Mermaid flowchart (GitHub and GitLab render it in place):
 * schedules -> jobs; what each job signs with, reads and writes (from its
 * IAM role's statements); where its logs, metrics, alerts and failed runs
 * go; and the outside world it reaches through the NAT's Elastic IPs.
 */

const nodeId = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
/** Mermaid labels are quoted; quotes inside are entities. */
const label = (...lines: string[]) => `"${lines.filter(Boolean).join("<br/>").replace(/"/g, "#quot;")}"`;

type Access = "signs" | "reads public key" | "reads" | "writes" | "dead-letters" | "logs";

function accessOf(action: string, target: RecordedResource): Access | undefined {
  const a = action.toLowerCase();
  if (target.type === types.key) {
    if (a === "kms:sign" || a === "kms:*") return "signs";
    if (a === "kms:getpublickey") return "reads public key";
    return undefined; // data-key use (encrypt/decrypt) is implied by the table or secret edge
  }
  if (target.type === types.queue && a.startsWith("sqs:send")) return "dead-letters";
  if (target.type === types.logGroup) return "logs";
  if (/:(get|query|scan|batchget|describe|list|read)/.test(a)) return "reads";
  if (/:(put|update|delete|batchwrite|write|send|publish|transactwrite)/.test(a)) return "writes";
  return undefined;
}

function jobEdges(job: JobFacts): Map<RecordedResource, Set<Access>> {
  const edges = new Map<RecordedResource, Set<Access>>();
  for (const permission of job.permissions) {
    for (const target of permission.targets) {
      for (const action of permission.actions) {
        const access = accessOf(action, target);
        if (!access) continue;
        edges.set(target, new Set([...(edges.get(target) ?? []), access]));
      }
    }
  }
  return edges;
}

function targetNode(target: RecordedResource, facts: StackFacts, address: string | undefined): string | undefined {
  switch (target.type) {
    case types.key: {
      const key = facts.keys.find((k) => k.key.urn === target.urn);
      if (!key?.signing) return undefined;
      return `${nodeId("key", target.name)}{{${label("KMS signer (secp256k1)", key.alias ?? target.name, address ?? "")}}}`;
    }
    case types.table:
      return `${nodeId("table", target.name)}[(${label("DynamoDB", target.name)})]`;
    case types.secret:
      return `${nodeId("secret", target.name)}[/${label("Secret", target.name)}/]`;
    default:
      return undefined;
  }
}

export function stackDiagram(config: KitConfig, facts: StackFacts): string {
  const lines: string[] = ["flowchart LR"];
  const declared = new Set<string>();
  const declare = (definition: string) => {
    const id = definition.split(/[[({>{]/)[0] ?? definition;
    if (!declared.has(id)) lines.push(`    ${definition}`);
    declared.add(id);
    return id;
  };
  const address = typeof facts.evaluation.outputs.assistantAddress === "string" ? facts.evaluation.outputs.assistantAddress : undefined;
  const nats = facts.ofType(types.nat).length;
  const ips = Array.isArray(facts.evaluation.outputs.rpcEgressIps) ? facts.evaluation.outputs.rpcEgressIps.map(String) : [];
  const edges: string[] = [];
  const filters = facts.ofType(types.logSubscription);
  // Jobs that log subscriptions invoke (the shipper), with no schedule of their own.
  const shippers = new Set(filters.map((f) => facts.resolve(f.inputs.destinationArn)?.urn).filter((urn): urn is string => urn !== undefined));

  lines.push(`  subgraph aws[${label(`AWS ${config.aws.region} · stack ${config.stack}`)}]`);
  const egress = nats > 0 ? declare(`egress[${label(`NAT gateways ×${nats}`, `Elastic IPs ${ips.join(", ")}`)}]`) : undefined;
  const logGroups = facts.ofType(types.logGroup);
  const logs = logGroups.length > 0 ? declare(`logs[(${label(`CloudWatch Logs ×${logGroups.length}`, `${config.logRetentionDays} days, KMS-encrypted`)})]`) : undefined;
  const alarms = facts.alarms.length > 0 ? declare(`alarms[${label(`${facts.alarms.length} CloudWatch alarms`)}]`) : undefined;
  const topics = facts.ofType(types.topic);
  const topic = topics[0] ? declare(`topic>${label("SNS", topics[0].name)}]`) : undefined;
  const dashboards = facts.ofType(types.dashboard);
  const dashboard = dashboards[0] ? declare(`dashboard[${label("Dashboard", asString(dashboards[0].inputs.dashboardName) ?? dashboards[0].name)}]`) : undefined;
  const dlqs = facts.jobs.filter((j) => j.deadLetterQueue).length;
  const dlq = dlqs > 0 ? declare(`dlq[(${label(`SQS dead-letter queues ×${dlqs}`)})]`) : undefined;

  for (const job of facts.jobs) {
    const concurrency = job.fn.inputs.reservedConcurrentExecutions;
    const jobNode = declare(`${nodeId("job", job.job)}[${label(`${job.job} job`, String(job.fn.inputs.runtime ?? ""), typeof concurrency === "number" && concurrency > 0 ? `concurrency ${concurrency}` : "")}]`);
    if (job.schedule) {
      const schedule = declare(`${nodeId("schedule", job.job)}([${label(String(job.schedule.inputs.scheduleExpression ?? "schedule"))}])`);
      edges.push(`  ${schedule} --> ${jobNode}`);
    } else if (shippers.has(job.fn.urn)) {
      if (logs) edges.push(`  ${logs} -->|subscription| ${jobNode}`);
    } else {
      const onDemand = declare(`ondemand([${label("on release (invoked)")}])`);
      edges.push(`  ${onDemand} -.-> ${jobNode}`);
    }
    for (const [target, accesses] of jobEdges(job)) {
      const definition = targetNode(target, facts, address);
      if (!definition) continue;
      const accessList = [...accesses].filter((a) => a !== "logs" && a !== "dead-letters");
      if (accessList.length === 0) continue;
      edges.push(`  ${jobNode} -->|${accessList.join(" + ")}| ${declare(definition)}`);
    }
    if (logs && job.logGroup) edges.push(`  ${jobNode} -.->|logs| ${logs}`);
    if (dlq && job.deadLetterQueue) edges.push(`  ${jobNode} -.->|failed runs| ${dlq}`);
    if (alarms) edges.push(`  ${jobNode} -.->|metrics| ${alarms}`);
    if (egress) edges.push(`  ${jobNode} -->|HTTPS| ${egress}`);
  }
  lines.push("  end");

  // The outside world.
  lines.push(`  rpc((${label("RPC provider", `${config.chain.name} · ${config.chain.id}`)}))`);
  lines.push(`  indexer((${label("Boson subgraph", URL.canParse(config.protocol.subgraphUrl) ? new URL(config.protocol.subgraphUrl).host : "")}))`);
  if (egress) edges.push(`  ${egress} --> rpc`, `  ${egress} --> indexer`);
  if (config.webhooks.endpoints.length > 0 && egress) {
    lines.push(`  hooks((${label(`${config.webhooks.endpoints.length} webhook endpoint(s)`, "HMAC-signed")}))`);
    edges.push(`  ${egress} --> hooks`);
  }
  const recipients = [...config.alerts.emails, ...config.alerts.httpsEndpoints.map((url) => (URL.canParse(url) ? new URL(url).host : url))];
  if (topic) {
    lines.push(`  people((${label("alerts to", ...recipients)}))`);
    if (alarms) edges.push(`  ${alarms} --> ${topic}`);
    edges.push(`  ${topic} --> people`);
  }
  if (dashboard && alarms) edges.push(`  ${alarms} -.- ${dashboard}`);
  const gcp = facts.custom.filter((r) => r.type.startsWith("gcp:"));
  if (gcp.length > 0 || shippers.size > 0) {
    lines.push(`  gcp[[${label(`GCP ${config.gcp.project}`, "Cloud Logging · BigQuery")}]]`);
    for (const job of facts.jobs.filter((j) => shippers.has(j.fn.urn))) edges.push(`  ${nodeId("job", job.job)} -->|log records| gcp`);
    if (shippers.size === 0 && logs) edges.push(`  ${logs} -.->|no subscription ships the logs| gcp`);
  }
  return [...lines, ...edges].join("\n");
}
