/**
 * The log shipper's throughput: records per second from a CloudWatch Logs
 * subscription payload to an accepted `entries:write`, against the local
 * Cloud Logging endpoint (test/harness/cloud-logging-endpoint.ts) through the
 * real `@google-cloud/logging` REST client, for payloads of 10, 100 and 1,000
 * records (a payload is one invocation; CloudWatch batches up to ~1 MB).
 *
 * Two rows per size: "end to end" (decode, redact, map, serialise, HTTP to
 * 127.0.0.1, the endpoint parsing the body) and "no HTTP" (the same handler
 * with a writer that only serialises the entries), so the table shows how
 * much is the shipper's own work. Records are realistic Powertools tool-call
 * records (~600 bytes). Each size runs a warm-up first.
 *
 * Run: npx tsx bench/shipper.ts [recordsPerSize]
 */
import type { CloudWatchLogsEvent } from "aws-lambda";
import { toLogEntry, type LogTarget } from "../lambdas/shipper/cloud-logging";
import { createShipperHandler, type ShipperHandler } from "../lambdas/shipper/handler";
import type { EntryWriter } from "../lambdas/shipper/ship";
import { startCloudLoggingEndpoint } from "../test/harness/cloud-logging-endpoint";
import { localShipper } from "../test/harness/local-shipper";
import { subscriptionPayload, toolCallLogEvent } from "../test/harness/cloudwatch-logs-payload";
import { markdownTable } from "./markdown-table";

const token = "bench-token";
const project = "boson-kit-bench";
const target: LogTarget = { projectId: project, logName: "boson-kit-bench", location: "eu-west-1", namespace: "bench" };
const context = { gcpProject: project, stack: "bench", configId: "staging-80002-0" };

function payload(size: number, offset: number): CloudWatchLogsEvent {
  const start = Date.UTC(2026, 10, 28);
  const logEvents = Array.from({ length: size }, (_, i) =>
    toolCallLogEvent(offset + i, {
      start,
      extra: {
        cold_start: false,
        function_arn: "arn:aws:lambda:eu-west-1:123456789012:function:withdraw",
        function_request_id: "c6af9ac6-7b61-11e6-9a41-93e812345678",
      },
      toolCall: {
        details: {
          blockNumber: 18_000_000 + offset + i,
          contract: "0x59A4C19b55193D5a2EAD0065c54af4d516E18Cb5",
          function: "getExchange",
        },
      },
    }),
  );
  return subscriptionPayload(logEvents, {
    logGroup: "/aws/lambda/withdraw",
    logStream: "bench",
    subscriptionFilters: ["bench"],
  });
}

interface Row {
  readonly mode: string;
  readonly size: number;
  readonly payloads: number;
  readonly records: number;
  readonly recordsPerSecond: number;
  readonly p50: number;
  readonly p95: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measure(mode: string, ship: ShipperHandler, size: number, totalRecords: number): Promise<Row> {
  const count = Math.max(1, Math.round(totalRecords / size));
  const payloads = Array.from({ length: count }, (_, index) => payload(size, index * size));
  // Warm-up: JIT, the HTTP agent's sockets, the client's stub.
  for (const warm of payloads.slice(0, Math.min(3, count))) await ship(warm);
  const times: number[] = [];
  const started = performance.now();
  for (const event of payloads) {
    const before = performance.now();
    await ship(event);
    times.push(performance.now() - before);
  }
  const elapsed = performance.now() - started;
  times.sort((a, b) => a - b);
  return {
    mode,
    size,
    payloads: count,
    records: count * size,
    recordsPerSecond: (count * size) / (elapsed / 1000),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
  };
}

async function main(): Promise<void> {
  const perSize = Number(process.argv[2] ?? 20_000);
  const endpoint = await startCloudLoggingEndpoint({ token });
  try {
    const endToEnd = localShipper(endpoint, token, { target, context });
    const serialiseOnly: EntryWriter = {
      write: async (entries) => {
        JSON.stringify(entries.map((entry) => toLogEntry(entry, project)));
      },
    };
    const noHttp = createShipperHandler({ target, context, writerFor: () => serialiseOnly });

    const rows: Row[] = [];
    for (const size of [10, 100, 1_000]) {
      endpoint.reset();
      const row = await measure("end to end", endToEnd, size, perSize);
      const received = endpoint.entries.length;
      const expected = row.records + Math.min(3, row.payloads) * size;
      if (received !== expected) throw new Error(`endpoint received ${received} entries, expected ${expected}`);
      rows.push(row);
      rows.push(await measure("no HTTP", noHttp, size, perSize));
    }

    const header = ["records/payload", "mode", "payloads", "records", "records/s", "ms/payload p50", "p95"];
    const lines = rows.map((row) => [
      String(row.size),
      row.mode,
      String(row.payloads),
      String(row.records),
      Math.round(row.recordsPerSecond).toLocaleString("en-US"),
      row.p50.toFixed(2),
      row.p95.toFixed(2),
    ]);
    console.log(
      `shipper throughput, node ${process.version}, ${perSize} records per size, local endpoint ${endpoint.url}`,
    );
    console.log(markdownTable(header, lines));
  } finally {
    await endpoint.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
