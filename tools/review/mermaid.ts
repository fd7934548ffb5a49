import type { KitConfig } from "../../infra/config";
import { types, type JobFacts, type StackFacts } from "./stack-facts";

/**
 * The stack as a Mermaid flowchart (GitHub and GitLab render it in place),
 * drawn by trust boundary: the people, the AWS account and its VPC, the GCP
 * project, the chain. Jobs are grouped by what they may do (the jobs that
 * sign, the other chain jobs, the log shipper), and there is one edge per
 * relation and group, so the picture stays readable as the stack grows.
 */

const sanitize = (name: string) => name.replace(/[^A-Za-z0-9]/g, "_");
/** Mermaid labels are quoted; quotes inside are entities. */
const label = (...lines: string[]) => `"${lines.filter(Boolean).join("<br/>").replace(/"/g, "#quot;")}"`;

interface JobGroup {
  readonly id: string;
  readonly title: string;
  readonly jobs: readonly JobFacts[];
}

type Target = "signer" | "tables" | `secret_${string}`;

/** What a group does to each stack resource its roles name, as edge labels. */
function accesses(group: JobGroup, facts: StackFacts): Map<Target, Set<string>> {
  const out = new Map<Target, Set<string>>();
  const add = (target: Target, what: string) => out.set(target, new Set([...(out.get(target) ?? []), what]));
  for (const job of group.jobs) {
    for (const permission of job.permissions) {
      for (const target of permission.targets) {
        const actions = permission.actions.map((a) => a.toLowerCase());
        if (target.type === types.key && facts.keys.find((k) => k.key.urn === target.urn)?.secp256k1) {
          if (actions.some((a) => a === "kms:sign" || a === "kms:*")) add("signer", "kms:Sign");
          if (actions.includes("kms:getpublickey")) add("signer", "public key");
        }
        if (target.type === types.table)
          add(
            "tables",
            actions.some((a) => /:(put|update|delete|batchwrite|transactwrite)/.test(a)) ? "reads + writes" : "reads",
          );
        if (target.type === types.secret && actions.some((a) => a.startsWith("secretsmanager:get")))
          add(`secret_${sanitize(target.name)}`, "reads");
      }
    }
  }
  return out;
}

function jobLine(job: JobFacts, shipper: boolean): string {
  const concurrency = job.fn.inputs.reservedConcurrentExecutions;
  const trigger = job.schedule
    ? String(job.schedule.inputs.scheduleExpression ?? "scheduled")
    : shipper
      ? "log subscription"
      : "on demand";
  return `${job.job}: ${trigger}${typeof concurrency === "number" && concurrency > 0 ? `, concurrency ${concurrency}` : ""}`;
}

function groupsOf(facts: StackFacts): JobGroup[] {
  const signer = facts.keys.find((key) => key.secp256k1);
  const shipperUrns = new Set(
    facts.ofType(types.logSubscription).map((f) => facts.resolve(f.inputs.destinationArn)?.urn),
  );
  const signs = (job: JobFacts) =>
    signer !== undefined && signer.roles.signers.some((principal) => facts.resolve(principal)?.urn === job.role?.urn);
  const groups: JobGroup[] = [
    { id: "signing_jobs", title: "Jobs that sign", jobs: facts.jobs.filter(signs) },
    {
      id: "chain_jobs",
      title: "Jobs that read the chain",
      jobs: facts.jobs.filter((job) => !signs(job) && !shipperUrns.has(job.fn.urn)),
    },
    {
      id: "shipper_jobs",
      title: "Log shipper",
      jobs: facts.jobs.filter((job) => !signs(job) && shipperUrns.has(job.fn.urn)),
    },
  ];
  return groups.filter((group) => group.jobs.length > 0);
}

export function stackDiagram(config: KitConfig, facts: StackFacts): string {
  const nodes: string[] = [];
  const edges: string[] = [];
  const edge = (from: string, to: string, text?: string, dotted = false) =>
    edges.push(`  ${from} ${dotted ? "-.->" : "-->"}${text ? `|${label(text)}|` : ""} ${to}`);
  const address =
    typeof facts.evaluation.outputs.assistantAddress === "string" ? facts.evaluation.outputs.assistantAddress : "";
  const ips = Array.isArray(facts.evaluation.outputs.rpcEgressIps)
    ? facts.evaluation.outputs.rpcEgressIps.map(String)
    : [];
  const signer = facts.keys.find((key) => key.secp256k1);
  const groups = groupsOf(facts);
  const secrets = facts.ofType(types.secret);
  const tables = facts.ofType(types.table);
  const nats = facts.ofType(types.nat).length;
  const recipients = [
    ...config.alerts.emails,
    ...config.alerts.httpsEndpoints.map((url) => (URL.canParse(url) ? new URL(url).host : url)),
  ];

  nodes.push(`  subgraph people[${label("People")}]`);
  nodes.push(
    `    admins([${label("key administrators", ...config.aws.kmsAdministrators.map((arn) => arn.split(":").pop() ?? arn))}])`,
  );
  nodes.push(`    release([${label("release owner")}])`);
  nodes.push(`    oncall([${label("on-call", ...recipients)}])`);
  nodes.push(`    seller_admin([${label("seller admin (smart account)", config.seller.admin)}])`);
  nodes.push("  end");

  nodes.push(`  subgraph aws[${label(`AWS account · ${config.aws.region} · stack ${config.stack}`)}]`);
  nodes.push(`    scheduler([${label("EventBridge Scheduler")}])`);
  if (signer) nodes.push(`    signer{{${label("KMS signer (secp256k1)", signer.alias ?? signer.key.name, address)}}}`);
  for (const secret of secrets) nodes.push(`    secret_${sanitize(secret.name)}[/${label("Secret", secret.name)}/]`);
  if (tables.length > 0)
    nodes.push(`    tables[(${label(`DynamoDB ×${tables.length}`, ...tables.map((t) => t.name))})]`);
  nodes.push(
    `    cloudwatch[(${label("CloudWatch", `logs ×${facts.ofType(types.logGroup).length}, ${config.logRetentionDays} days`, `${facts.alarms.length} alarms · dashboard`)})]`,
  );
  nodes.push(`    sns>${label("SNS alerts")}]`);
  nodes.push(`    dlq[(${label("SQS dead-letter queues")})]`);
  nodes.push(`    subgraph vpc[${label("VPC · private subnets")}]`);
  for (const group of groups)
    nodes.push(
      `      ${group.id}[${label(group.title, ...group.jobs.map((job) => jobLine(job, group.id === "shipper_jobs")))}]`,
    );
  if (nats > 0) nodes.push(`      egress[${label(`NAT ×${nats}`, `Elastic IPs ${ips.join(", ")}`)}]`);
  nodes.push("    end");
  nodes.push("  end");

  nodes.push(`  subgraph gcp_project[${label(`GCP project ${config.gcp.project}`)}]`);
  nodes.push(`    gcp[(${label("Cloud Logging · BigQuery")})]`);
  nodes.push("  end");

  nodes.push(`  subgraph chain[${label(`${config.chain.name} · chain ${config.chain.id}`)}]`);
  nodes.push(`    rpc((${label("RPC providers")}))`);
  nodes.push(`    diamond{{${label("Boson diamond", config.protocol.diamond)}}}`);
  nodes.push(
    `    indexer((${label("Boson subgraph", URL.canParse(config.protocol.subgraphUrl) ? new URL(config.protocol.subgraphUrl).host : "")}))`,
  );
  nodes.push("  end");
  if (config.webhooks.endpoints.length > 0)
    nodes.push(
      `  hooks((${label(`${config.webhooks.endpoints.length} fulfillment endpoint(s)`, "HMAC-signed webhooks")}))`,
    );

  // People.
  if (signer) edge("admins", "signer", "administer, never sign");
  edge("seller_admin", "diamond", "registers the assistant");
  // Triggers.
  for (const group of groups) {
    const scheduled = group.jobs.filter((job) => job.schedule);
    if (scheduled.length > 0) edge("scheduler", group.id, scheduled.map((job) => job.job).join(", "));
    const onDemand = group.jobs.filter((job) => !job.schedule && group.id !== "shipper_jobs");
    if (onDemand.length > 0) edge("release", group.id, `invokes ${onDemand.map((job) => job.job).join(", ")}`, true);
  }
  edge("scheduler", "dlq", "failed runs", true);
  // What each group may touch, from its roles.
  for (const group of groups) {
    for (const [target, what] of accesses(group, facts)) edge(group.id, target, [...what].join(" + "));
    if (group.id !== "shipper_jobs") edge(group.id, "cloudwatch", "logs + metrics", true);
    if (nats > 0 && group.id !== "shipper_jobs") edge(group.id, "egress", "HTTPS");
  }
  // Logs, alerts, the outside world.
  if (groups.some((g) => g.id === "shipper_jobs")) {
    edge("cloudwatch", "shipper_jobs", "log subscription");
    edge("shipper_jobs", "gcp", "records via NAT, Workload Identity");
  }
  edge("cloudwatch", "sns", "alarms");
  edge("sns", "oncall");
  if (nats > 0) {
    edge("egress", "rpc", "JSON-RPC (IP-allowlisted)");
    edge("egress", "indexer", "GraphQL");
    if (config.webhooks.endpoints.length > 0) edge("egress", "hooks", "webhooks");
  }
  edge("rpc", "diamond");
  return ["flowchart LR", ...nodes, ...edges].join("\n");
}
