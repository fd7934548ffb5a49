/**
 * Captures what the jobs write to stdout (Powertools Logger records and EMF
 * metrics are both JSON lines there), so tests assert on the real records.
 */
import type { ToolCallRecord } from "../../lambdas/shared/runtime/logger";

export type EmfMetric = { name: string; value: number | number[]; dimensions: Record<string, string> };

export type CapturedOutput = {
  lines(): Record<string, unknown>[];
  toolCalls(): (ToolCallRecord & { level: string; xray_trace_id?: string })[];
  metrics(): EmfMetric[];
  metricValues(name: string): number[];
  clear(): void;
  restore(): void;
};

/** Captures stdout and stderr (Powertools writes WARN and ERROR records to stderr). */
export function captureStdout(options: { echo?: boolean } = {}): CapturedOutput {
  const lines: Record<string, unknown>[] = [];
  const restorers = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write.bind(stream);
    let buffer = "";
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      buffer += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          const parsed = JSON.parse(line) as unknown;
          if (parsed !== null && typeof parsed === "object") lines.push(parsed as Record<string, unknown>);
        } catch {
          // not a JSON line (vitest's own output)
        }
        newline = buffer.indexOf("\n");
      }
      if (options.echo) return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      return true;
    }) as typeof stream.write;
    return () => {
      stream.write = original;
    };
  });
  const metrics = (): EmfMetric[] =>
    lines.flatMap((line) => {
      const aws = line._aws as
        { CloudWatchMetrics?: { Dimensions: string[][]; Metrics: { Name: string }[] }[] } | undefined;
      if (!aws?.CloudWatchMetrics) return [];
      return aws.CloudWatchMetrics.flatMap((directive) =>
        directive.Metrics.map((metric) => ({
          name: metric.Name,
          value: line[metric.Name] as number | number[],
          dimensions: Object.fromEntries(
            (directive.Dimensions[0] ?? []).map((dimension) => [dimension, String(line[dimension])]),
          ),
        })),
      );
    });

  return {
    lines: () => [...lines],
    toolCalls: () =>
      lines
        .filter((line) => line.toolCall !== undefined)
        .map((line) => ({
          ...(line.toolCall as ToolCallRecord),
          level: String(line.level),
          ...(typeof line.xray_trace_id === "string" ? { xray_trace_id: line.xray_trace_id } : {}),
        })),
    metrics,
    metricValues: (name) =>
      metrics()
        .filter((metric) => metric.name === name)
        .flatMap((metric) => (Array.isArray(metric.value) ? metric.value : [metric.value])),
    clear: () => {
      lines.length = 0;
    },
    restore: () => {
      for (const restore of restorers) restore();
    },
  };
}
