import { configNamespace } from "../../../infra/config";
import { officialDeployment } from "../../../infra/official-table";
import { metricNames } from "../../../lambdas/contract";
import type { Evidence } from "../report";
import type { AlarmFacts } from "../stack-facts";
import { fact, policyEvidence, result, testEvidence, type ItemEvaluator, type ReviewContext } from "./context";

/** H1..H5: official addresses, paused regions, DiamondCut, pinned ABIs, gas alarms. */

/** An alarm on `metric` that notifies someone. */
export function alarmEvidence(
  context: ReviewContext,
  metric: string,
  what: string,
  matches: (alarm: AlarmFacts) => boolean = () => true,
): Evidence {
  const alarms = context.facts.alarms.filter((a) => a.metric === metric && matches(a));
  const notifying = alarms.filter((a) => a.actions.length > 0 && a.actionsEnabled);
  if (notifying.length === 0)
    return fact(
      "resource",
      `alarm on ${metric}`,
      alarms.length > 0 ? `${what}: the alarm notifies nobody` : `no alarm for ${what}`,
      false,
    );
  return fact(
    "resource",
    notifying.map((a) => a.alarm.name).join(", "),
    `${what}: ${metric} ${notifying[0]?.comparison ?? ""} ${notifying[0]?.threshold ?? ""} -> ${notifying[0]?.actions.length} action(s)`,
    true,
  );
}

export function jobEvidence(context: ReviewContext, job: string, scheduleExpression: string | undefined): Evidence {
  const found = context.facts.jobs.find((j) => j.job === job);
  if (!found) return fact("resource", `${job} job`, "not in the stack", false);
  if (scheduleExpression === undefined) return fact("resource", found.fn.name, `the ${job} job runs on demand`, true);
  const expression = found.schedule?.inputs.scheduleExpression;
  return fact(
    "resource",
    found.schedule?.name ?? found.fn.name,
    expression === scheduleExpression
      ? `runs ${job} on ${scheduleExpression} (from the config)`
      : `schedule is ${String(expression ?? "(none)")}, config says ${scheduleExpression}`,
    expression === scheduleExpression,
  );
}

const H1: ItemEvaluator = (context) => {
  const { config, facts, online } = context;
  const official = officialDeployment(config.configId);
  const matches = official?.protocolDiamond.toLowerCase() === config.protocol.diamond.toLowerCase();
  const evidence: Evidence[] = [
    fact(
      "config",
      `${configNamespace}:configId`,
      `${config.configId}: diamond ${config.protocol.diamond} from ${config.protocol.source}`,
      matches,
    ),
  ];
  for (const job of facts.chainJobs) {
    const diamond = job.env.PROTOCOL_DIAMOND;
    evidence.push(
      fact(
        "resource",
        job.fn.name,
        `PROTOCOL_DIAMOND=${diamond ?? "(unset)"}`,
        diamond?.toLowerCase() === config.protocol.diamond.toLowerCase(),
      ),
    );
  }
  if (online) {
    evidence.push(
      fact(
        "chain",
        "eth_chainId",
        `${online.chainId} (config: ${config.chain.id})`,
        online.chainId === config.chain.id,
      ),
      fact(
        "chain",
        config.protocol.diamond,
        online.diamond.hasCode ? `has ${online.diamond.codeSize} bytes of code` : "has no code on this chain",
        online.diamond.hasCode,
      ),
      online.selectors
        ? fact(
            "chain",
            "facetAddress(bytes4)",
            online.selectors.unserved.length === 0
              ? `all ${online.selectors.checked} functions the jobs call are served by a facet`
              : `no facet serves ${online.selectors.unserved.map((fn) => `${fn.name} (${fn.selector})`).join(", ")}: a protocol upgrade dropped or moved it`,
            online.selectors.unserved.length === 0,
          )
        : fact(
            "chain",
            "facetAddress(bytes4)",
            "could not look up the functions the jobs call (see the online errors)",
            false,
          ),
    );
  }
  evidence.push(...testEvidence(context, "H1", false));
  return result("H1", evidence, {
    pass: `the diamond ${config.protocol.diamond} is the official table's entry for ${config.configId}${online ? " and has code on chain" : ""}`,
  });
};

const H2: ItemEvaluator = (context) => {
  const evidence: Evidence[] = [
    alarmEvidence(context, metricNames.pausedRegions, "a paused region"),
    ...testEvidence(context, "H2", true),
  ];
  if (context.online) {
    const paused = context.online.pausedRegions;
    evidence.push(
      fact(
        "chain",
        "getPausedRegions()",
        paused.length === 0
          ? "no region is paused"
          : `paused now: ${paused.join(", ")} (jobs treat this as transient and retry)`,
        paused.length === 0,
        true,
      ),
    );
  }
  return result("H2", evidence, { pass: "jobs read pausedRegions() before a call, and a paused region alerts" });
};

const H3: ItemEvaluator = (context) =>
  result(
    "H3",
    [
      jobEvidence(context, "watcher", context.config.schedules.watcher),
      alarmEvidence(context, metricNames.diamondCutSeen, "a DiamondCut"),
      ...testEvidence(context, "H3", true),
    ],
    { pass: "the watcher reads DiamondCut events and a cut raises an alarm" },
  );

const H4: ItemEvaluator = (context) => {
  const { repo } = context;
  const evidence: Evidence[] = repo.protocolPackages.map((pkg) => {
    const exact = /^\d+\.\d+\.\d+$/.test(pkg.spec);
    return fact(
      "repo",
      `package.json ${pkg.name}`,
      `${pkg.spec}${pkg.locked ? ` (lockfile ${pkg.locked})` : ""}`,
      exact && pkg.locked === pkg.spec,
    );
  });
  if (evidence.length === 0) evidence.push(fact("repo", "package.json", "no @bosonprotocol package pinned", false));
  evidence.push(...policyEvidence(context, ["lambda-current-runtime"]), ...testEvidence(context, "H4", true));
  return result("H4", evidence, {
    pass: `ABIs come from ${repo.protocolPackages.map((p) => `${p.name}@${p.spec}`).join(", ")}, pinned exactly`,
  });
};

const H5: ItemEvaluator = (context) => {
  const { config } = context;
  const burn = Number(config.gas.expectedDailyBurnWei);
  const evidence: Evidence[] = config.gas.alertRatios.map((ratio) => {
    const expected = burn * ratio;
    return alarmEvidence(
      context,
      metricNames.gasBalanceWei,
      `gas below ${ratio}x the daily burn (${expected} wei)`,
      (alarm) =>
        alarm.threshold !== undefined &&
        Math.abs(alarm.threshold - expected) <= expected * 1e-9 &&
        (alarm.comparison ?? "").startsWith("LessThan"),
    );
  });
  evidence.push(
    jobEvidence(context, "health", config.schedules.health),
    ...policyEvidence(context, ["alarm-has-action"]),
    ...testEvidence(context, "H5", true),
  );
  return result("H5", evidence, {
    pass: `gas alarms at ${config.gas.alertRatios.join("x, ")}x of ${config.gas.expectedDailyBurnWei} wei/day`,
  });
};

export const hygieneItems = { H1, H2, H3, H4, H5 };
