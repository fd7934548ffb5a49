import { configNamespace } from "../../../infra/config";
import { metricNames } from "../../../lambdas/contract";
import type { Evidence } from "../report";
import { types } from "../stack-facts";
import { fact, policyEvidence, result, testEvidence, type ItemEvaluator, type ReviewContext } from "./context";
import { alarmEvidence, jobEvidence } from "./hygiene";

/** O1..O6: idempotency, subgraph lag, reorgs, relayer, event dedupe, subgraph health. */

/** Each job that names a table in `variable` gets a stack table by that name. */
function tableEvidence(context: ReviewContext, variable: string, jobs: readonly string[]): Evidence[] {
  return jobs.map((name) => {
    const job = context.facts.jobs.find((j) => j.job === name);
    if (!job) return fact("resource", `${name} job`, "not in the stack", false);
    const table = context.facts.resolve(job.env[variable]);
    return fact(
      "resource",
      job.fn.name,
      table?.type === types.table
        ? `${variable} -> table ${table.name}`
        : `${variable} does not name a table of this stack`,
      table?.type === types.table,
    );
  });
}

/** Each job's environment carries `variable` equal to `expected`. */
function envEvidence(context: ReviewContext, variable: string, expected: string): Evidence[] {
  return context.facts.chainJobs.map((job) =>
    fact("resource", job.fn.name, `${variable}=${job.env[variable] ?? "(unset)"}`, job.env[variable] === expected),
  );
}

const O1: ItemEvaluator = (context) =>
  result(
    "O1",
    [
      ...tableEvidence(context, "IDEMPOTENCY_TABLE", ["withdraw"]),
      ...policyEvidence(context, [
        "lambda-reserved-concurrency",
        "dynamodb-table-cmk",
        "dynamodb-point-in-time-recovery",
        "lambda-dead-letter-queue",
      ]),
      ...testEvidence(context, "O1", true),
    ],
    { pass: "withdrawals run one at a time and are keyed in the idempotency table" },
  );

const O2: ItemEvaluator = (context) =>
  result(
    "O2",
    [
      ...envEvidence(context, "SUBGRAPH_URL", context.config.protocol.subgraphUrl),
      ...testEvidence(context, "O2", true),
    ],
    {
      pass: "read-after-write paths wait for the subgraph to index the write",
    },
  );

const O3: ItemEvaluator = (context) => {
  const { config } = context;
  return result(
    "O3",
    [
      fact(
        "config",
        `${configNamespace}:confirmations`,
        `${config.confirmations} on ${config.chain.name} (minimum ${config.chain.minimum})`,
        config.confirmations >= config.chain.minimum,
      ),
      ...envEvidence(context, "CONFIRMATIONS", String(config.confirmations)),
      ...testEvidence(context, "O3", true),
    ],
    { pass: `${config.confirmations} confirmations on ${config.chain.name} before a change counts` },
  );
};

const O4: ItemEvaluator = (context) => {
  const { config } = context;
  if (!config.relayer) {
    return result(
      "O4",
      [
        fact(
          "config",
          `${configNamespace}:relayer`,
          "not set: jobs send transactions themselves, through the KMS signer; no relayer to rate-limit",
          true,
        ),
      ],
      {
        pass: "no relayer in use",
      },
    );
  }
  const relayer = JSON.stringify(config.relayer);
  return result(
    "O4",
    [
      fact(
        "config",
        `${configNamespace}:relayer`,
        `${config.relayer.ratePerSecond}/s, burst ${config.relayer.burst}, timeout ${config.relayer.timeoutMs} ms`,
        true,
      ),
      ...envEvidence(context, "RELAYER", relayer),
      ...testEvidence(context, "O4", true),
    ],
    {
      pass: `relayer calls are limited to ${config.relayer.ratePerSecond}/s with a fallback`,
    },
  );
};

const O5: ItemEvaluator = (context) =>
  result(
    "O5",
    [
      ...tableEvidence(context, "EVENTS_TABLE", ["watcher"]),
      ...policyEvidence(context, ["dynamodb-point-in-time-recovery"]),
      ...testEvidence(context, "O5", true),
    ],
    { pass: "the watcher stores each event once, keyed on (txHash, logIndex)" },
  );

const O6: ItemEvaluator = (context) => {
  const { config } = context;
  return result(
    "O6",
    [
      jobEvidence(context, "health", config.schedules.health),
      alarmEvidence(
        context,
        metricNames.subgraphLagBlocks,
        `subgraph lag over ${config.subgraph.maxLagBlocks} blocks`,
        (a) => a.threshold === config.subgraph.maxLagBlocks,
      ),
      ...(context.online?.subgraph
        ? [
            "error" in context.online.subgraph
              ? fact("chain", "subgraph _meta", `could not read: ${context.online.subgraph.error}`, false, true)
              : fact(
                  "chain",
                  "subgraph _meta",
                  `head ${context.online.subgraph.subgraphBlock}, chain ${context.online.subgraph.chainBlock}: ${context.online.subgraph.lagBlocks} blocks behind`,
                  context.online.subgraph.lagBlocks <= config.subgraph.maxLagBlocks,
                  true,
                ),
          ]
        : []),
      ...(context.online?.subgraphFields
        ? [
            "error" in context.online.subgraphFields
              ? fact(
                  "chain",
                  "subgraph schema",
                  `could not introspect: ${context.online.subgraphFields.error}`,
                  false,
                  true,
                )
              : fact(
                  "chain",
                  "subgraph schema",
                  context.online.subgraphFields.problems.length === 0
                    ? `the kit's ${context.online.subgraphFields.documents} documents are valid against the live schema`
                    : context.online.subgraphFields.problems.join("; "),
                  context.online.subgraphFields.problems.length === 0,
                  true,
                ),
          ]
        : []),
      ...testEvidence(context, "O6", true),
    ],
    { pass: `the health job measures subgraph lag and alerts past ${config.subgraph.maxLagBlocks} blocks` },
  );
};

export const operationalItems = { O1, O2, O3, O4, O5, O6 };
