import { verdictLine } from "./progress";
import type { ItemResult, ReadinessReport } from "./report";

/**
 * readiness.md: written to be read in a pull request. The diagram first,
 * then the checklist table (what passes, fails, did not run, awaits a
 * sign-off), what awaits whom, custody,
 * policies, inventory and cost; evidence sits in collapsible blocks.
 */

const statusCell: Record<ItemResult["status"], string> = {
  pass: "✅ pass",
  fail: "❌ fail",
  "evidence-not-run": "⏳ evidence not run",
  "needs-sign-off": "👤 needs sign-off",
};

/** Table cells: pipes and newlines would break the row. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => (text === "" ? "" : `\`${text.replace(/`/g, "'")}\``);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ];
}

function checklistSection(report: ReadinessReport): string[] {
  const status = (item: ItemResult) =>
    item.status !== "fail" ? statusCell[item.status] : item.blocking ? "❌ fail (blocking)" : "⚠️ fail (advisory)";
  const rows = report.checklist.map((item) => [item.id, item.title, status(item), item.summary]);
  const details = report.checklist.flatMap((item) => [
    `<details><summary><b>${item.id}</b> ${status(item)}: ${item.title}</summary>`,
    "",
    ...(item.humanCheck ? [`**To check by hand:** ${item.humanCheck}`, ""] : []),
    ...item.evidence.map(
      (e) => `- ${e.ok ? "✅" : e.notRun ? "⏳" : e.advisory ? "⚠️" : "❌"} ${e.kind} ${code(e.ref)}: ${e.detail}`,
    ),
    "",
    "</details>",
    "",
  ]);
  return ["## Checklist", "", ...table(["id", "item", "status", "why"], rows), "", "### Evidence", "", ...details];
}

function signoffSection(report: ReadinessReport): string[] {
  const checks = new Map(
    report.checklist.filter((item) => item.humanCheck).map((item) => [item.id as string, item.humanCheck ?? ""]),
  );
  const rows = report.signoffs.map((s) => [
    s.item,
    s.title,
    s.awaits,
    s.signed
      ? `✅ ${s.signed.who}, ${s.signed.when}${s.signed.expires ? ` (until ${s.signed.expires})` : ""}: ${s.signed.checked}`
      : "👤 not signed",
  ]);
  const todo = report.signoffs
    .filter((s) => !s.signed && checks.has(s.item))
    .map((s) => `- **${s.item}** (${s.awaits}): ${checks.get(s.item) ?? ""}`);
  return [
    "## Sign-offs",
    "",
    `Recorded in \`signoffs/${report.stack}.yaml\` (format: \`docs/checklist.md\`); a malformed or expired entry counts as absent.`,
    "",
    ...table(["sign-off", "what", "awaits", "status"], rows),
    "",
    ...(todo.length > 0 ? ["What each unsigned item asks:", "", ...todo, ""] : []),
  ];
}

function awaitingSection(report: ReadinessReport): string[] {
  if (report.awaiting.length === 0) return [];
  return [
    "## What awaits whom",
    "",
    ...table(
      ["who", "what"],
      report.awaiting.map((a) => [a.who, a.what]),
    ),
    "",
  ];
}

function custodySection(report: ReadinessReport): string[] {
  const { custody } = report;
  const principals = (list: readonly { principal: string; who: string }[]) =>
    list.map((p) => `${p.principal} (${p.who})`).join("<br/>") || "nobody";
  const keyRows = custody.keys.map((key) => [
    key.alias ?? key.key,
    `${key.spec} / ${key.usage}`,
    principals(key.administrators),
    principals(key.users),
    key.problems.join("; ") || "none",
  ]);
  const seller = custody.seller;
  const sellerRows: string[][] = [
    [
      "admin",
      seller.admin,
      "stack config (seller.admin); must be a smart account (S2)",
      seller.onChain
        ? `${seller.onChain.admin}${seller.onChain.adminIsContract ? " (contract)" : " (EOA!)"}`
        : "not checked (offline)",
    ],
    [
      "assistant",
      seller.assistant ?? "(no signer output)",
      `KMS key ${seller.assistantKey ?? "?"} (derived address${report.mode === "offline" ? ", offline from the mock key" : ""})`,
      seller.onChain ? seller.onChain.assistant : "not checked (offline)",
    ],
    [
      "treasury",
      seller.treasury,
      "stack config (seller.treasury)",
      seller.onChain ? seller.onChain.treasury : "not checked (offline)",
    ],
  ];
  return [
    "## Key custody and rotation (M3)",
    "",
    "Who can administer and who can use each KMS key, read from the key policies:",
    "",
    ...table(["key", "spec / usage", "administers", "signs / uses", "problems"], keyRows),
    "",
    `Seller ${seller.id}:`,
    "",
    ...table(["role", "address", "held by", "on chain"], sellerRows),
    "",
    "### Who can sign",
    "",
    ...table(
      ["principal", "how"],
      [
        ...custody.signers.direct.map((s) => [s.principal, `signs now (key policy kms:Sign): ${s.who}`]),
        ...custody.signers.oneStepAway.map((s) => [s.principal, `one step away: ${s.step}`]),
      ],
    ),
    "",
    "### Key and secret policies, statement by statement",
    "",
    ...custody.policies.flatMap((policy) => [
      `**${policy.kind} ${code(policy.name)}**`,
      "",
      ...(policy.statements.length === 0
        ? ["No resource policy: only identity policies of the account decide who may use it.", ""]
        : [
            ...table(
              ["sid", "effect", "principals", "actions", "conditions"],
              policy.statements.map((st) => [
                st.sid,
                st.effect,
                st.principals.join("<br/>"),
                st.actions.join(", "),
                st.conditions ? code(st.conditions) : "none",
              ]),
            ),
            "",
          ]),
    ]),
    "### Deployment",
    "",
    ...table(
      ["", ""],
      [
        [
          "deployers (run `pulumi up`)",
          custody.deployment.deployers.join("<br/>") || "not set (boson-kit:deployers): whoever runs `pulumi up`",
        ],
        ["previewers", custody.deployment.previewers.join("<br/>") || "none set"],
        ["Pulumi state backend", custody.deployment.backend],
        ["secrets provider", custody.deployment.secretsProvider],
      ],
    ),
    "",
    `### Rotating the assistant key (${report.stack})`,
    "",
    ...custody.runbook.map((step, index) => `${index + 1}. ${step}`),
    "",
  ];
}

function compromiseSection(report: ReadinessReport): string[] {
  const { compromise } = report;
  return [
    "## If the assistant key is compromised",
    "",
    "Compromised means someone can have KMS sign with it (the key never leaves KMS). With the assistant role, on chain, they can:",
    "",
    ...compromise.canDo.map((line) => `- ${line}`),
    "",
    "They cannot:",
    "",
    ...compromise.cannotDo.map((line) => `- ${line}`),
    "",
    "Emergency stop, in order:",
    "",
    ...compromise.stop.map((line, index) => `${index + 1}. ${line}`),
    "",
    "The way back:",
    "",
    ...compromise.wayBack.map((line, index) => `${index + 1}. ${line}`),
    "",
  ];
}

function policySection(report: ReadinessReport): string[] {
  const rows = report.policies.map((p) => [
    p.policy,
    p.checklist.join(", "),
    p.checkov.join(", ") || "-",
    p.trivy.join(", ") || "-",
    p.status === "fail" ? `❌ ${p.violations.length} violation(s)` : p.status === "pass" ? "✅ pass" : "n/a",
    String(p.checked),
  ]);
  const violations = report.policies.flatMap((p) =>
    p.violations.map((v) => `- \`${p.policy}\` ${v.resource ?? "stack"}: ${v.message}`),
  );
  return [
    "## Policies",
    "",
    `The policy pack (\`infra/policy\`, also usable as \`pulumi preview --policy-pack infra/policy\`) evaluated offline on the recorded resources.`,
    "",
    ...table(["policy", "checklist", "Checkov", "Trivy", "result", "checked"], rows),
    "",
    ...(violations.length > 0 ? ["Violations:", "", ...violations, ""] : []),
  ];
}

function inventorySection(report: ReadinessReport): string[] {
  const total = report.inventory.reduce((sum, group) => sum + group.resources.length, 0);
  return [
    "## Resource inventory",
    "",
    `${total} cloud resources in ${report.inventory.length} components.`,
    "",
    ...report.inventory.flatMap((group) => [
      `<details><summary>${group.component} (${group.resources.length})</summary>`,
      "",
      ...table(
        ["type", "name", "settings"],
        group.resources.map((r) => [code(r.type), r.name, r.settings]),
      ),
      "",
      "</details>",
      "",
    ]),
  ];
}

function costSection(report: ReadinessReport): string[] {
  const { cost } = report;
  const rows = cost.lines.map((l) => [
    l.item,
    `${l.quantity} ${l.unit}`,
    `$${l.unitPriceUsd}`,
    `$${l.monthlyUsd.toFixed(2)}`,
    l.basis,
  ]);
  return [
    "## Monthly fixed cost (estimate)",
    "",
    ...table(["item", "quantity", "unit price", "per month", "basis"], rows),
    `| **total** | | | **$${cost.totalMonthlyUsd.toFixed(2)}** | ${cost.currency}, ${cost.priceRegion} |`,
    "",
    `Assumptions: ${cost.assumptions.join("; ")}.`,
    "",
    `Not included (usage-priced): ${cost.excluded.join("; ")}.`,
    "",
    `VPC endpoints, net: $${cost.endpoints.fixedMonthlyUsd.toFixed(2)} for ${cost.endpoints.interfaceEndpointZones} interface endpoint-zones, ` +
      `+ $${cost.endpoints.endpointProcessingUsd.toFixed(2)} endpoint processing, - $${cost.endpoints.natProcessingSavedUsd.toFixed(2)} NAT processing saved ` +
      `(${cost.endpoints.awsApiGbPerMonth} GB/month of AWS API traffic) = **$${cost.endpoints.netMonthlyUsd.toFixed(2)} per month**; ` +
      `they pay for themselves above ${cost.endpoints.breakEvenGb} GB/month. They are there so that job credentials used outside the VPC cannot sign or read the secrets.`,
    "",
  ];
}

function onlineSection(report: ReadinessReport): string[] {
  const online = report.online;
  if (!online) return [];
  const subgraph = online.subgraph
    ? "error" in online.subgraph
      ? `error: ${online.subgraph.error}`
      : `${online.subgraph.lagBlocks} blocks behind (${online.subgraph.host})`
    : "not checked";
  return [
    "## On-chain facts",
    "",
    ...table(
      ["fact", "value"],
      [
        ["RPC", online.rpcHost],
        ["chain id", String(online.chainId)],
        ["block", String(online.blockNumber)],
        [
          "diamond",
          `${online.diamond.address}: ${online.diamond.hasCode ? `${online.diamond.codeSize} bytes of code` : "no code"}`,
        ],
        ["paused regions", online.pausedRegions.join(", ") || "none"],
        ["subgraph", subgraph],
        ["read errors", online.errors.join("; ") || "none"],
      ],
    ),
    "",
  ];
}

export function renderMarkdown(report: ReadinessReport): string {
  const verdict = `**${verdictLine(report)}**`;
  return [
    `# Readiness: ${report.stack}`,
    "",
    `Stack \`${report.stack}\` (${report.environment}), configId \`${report.configId}\` on ${report.chain.name} (chain ${report.chain.id}), reviewed ${report.mode}.`,
    "",
    `> ${verdict}`,
    "",
    `Test evidence: ${report.testRun.state === "current" ? report.testRun.detail : `${report.testRun.state}: ${report.testRun.detail}`}.`,
    "",
    ...(report.notes.length > 0 ? [...report.notes.map((note) => `- ${note}`), ""] : []),
    "Generated by `npm run review -- --stack " +
      report.stack +
      "`; do not edit by hand. Machine-readable: `readiness.json` (schema `" +
      report.schema +
      "`).",
    "",
    "## Stack diagram",
    "",
    "```mermaid",
    report.diagram,
    "```",
    "",
    ...awaitingSection(report),
    ...checklistSection(report),
    ...signoffSection(report),
    ...custodySection(report),
    ...compromiseSection(report),
    ...onlineSection(report),
    ...policySection(report),
    ...inventorySection(report),
    ...costSection(report),
  ].join("\n");
}
