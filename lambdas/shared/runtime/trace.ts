/**
 * One trace id per job run (checklist B4): X-Ray's root id, which Lambda puts
 * in `_X_AMZN_TRACE_ID` and Powertools Logger writes as `xray_trace_id`. The
 * jobs forward it as a header on RPC, relayer, subgraph and webhook calls, so
 * one query by trace id returns the whole path.
 */

export const traceHeaderName = "X-Amzn-Trace-Id";

/** The X-Ray root trace id (`1-5759e988-bd862e3fe1be46a994272793`), or undefined outside Lambda. */
export function currentTraceId(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const header = env._X_AMZN_TRACE_ID;
  if (!header) return undefined;
  return /(?:^|;)Root=([^;]+)/.exec(header)?.[1];
}

/** Headers that carry the trace id to a downstream HTTP call; empty when there is no trace. */
export function traceHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const traceId = currentTraceId(env);
  return traceId ? { [traceHeaderName]: `Root=${traceId}` } : {};
}
