import type { CloudWatchLogsEvent } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Logging, type LoggingOptions } from "@google-cloud/logging";
import { cloudLoggingWriter, createLogging, type LoggingServiceV2 } from "../../lambdas/shipper/cloud-logging";
import { decodeSubscriptionPayload } from "../../lambdas/shipper/decode";
import { toShippableEntry } from "../../lambdas/shipper/entries";
import type { ShipperHandler } from "../../lambdas/shipper/handler";
import { classifyFailure, ShipFailedError } from "../../lambdas/shipper/ship";
import { createJobLogger, logToolCall } from "../../lambdas/shared/runtime/logger";
import {
  fixedTokenAuthClient,
  startCloudLoggingEndpoint,
  type CloudLoggingEndpoint,
} from "../harness/cloud-logging-endpoint";
import { localShipper } from "../harness/local-shipper";

import {
  context,
  events,
  fastRetries,
  payload,
  project,
  start,
  target,
  toolCallEvent,
  traceId,
  token,
} from "./shipper-fixtures";

let endpoint: CloudLoggingEndpoint;
let ship: ShipperHandler;

beforeAll(async () => {
  endpoint = await startCloudLoggingEndpoint({ token, maxRequestBytes: 10 * 1024 * 1024 });
  ship = localShipper(endpoint, token, { target, context, policy: fastRetries });
});

afterAll(async () => {
  await endpoint.close();
});

beforeEach(() => endpoint.reset());

describe("shipper: CloudWatch Logs subscription -> Cloud Logging entries:write", () => {
  it("ships a payload of 1,000 records complete and in order, with payload, timestamp, severity, trace and labels (B1, B4)", async () => {
    const result = await ship(payload(events(1_000)));
    expect(result.entries).toBe(1_000);
    expect(endpoint.entries).toHaveLength(1_000);
    expect(endpoint.entries.map((entry) => entry.jsonPayload?.sequence)).toEqual(
      Array.from({ length: 1_000 }, (_, index) => index),
    );
    expect(new Set(endpoint.entries.map((entry) => entry.insertId)).size).toBe(1_000);

    const [first] = endpoint.entries;
    expect(first?.logName).toBe(`projects/${project}/logs/boson-kit-tool-calls`);
    expect(first?.resource).toEqual({
      type: "generic_task",
      labels: {
        project_id: project,
        location: "eu-west-1",
        namespace: "staging",
        job: "withdraw",
        task_id: "2026/11/28/[$LATEST]abc",
      },
    });
    expect(first?.trace).toBe(`projects/${project}/traces/${traceId}`);
    expect(first?.labels).toEqual({
      stack: "staging",
      configId: "staging-80002-0",
      job: "withdraw",
      exchangeId: "1000",
      txHash: `0x${"0".repeat(64)}`,
    });
    expect(first?.jsonPayload).toMatchObject({
      message: "rpc.getExchange",
      toolCall: { tool: "rpc", exchangeId: "1000", outcome: "transient" },
    });
    // The REST transport sends enums as numbers: WARNING = 400, INFO = 200.
    expect(endpoint.entries.slice(0, 2).map((entry) => entry.severity)).toEqual([400, 200]);
    expect(new Date(String(first?.timestamp)).getTime()).toBe(start);
    expect(endpoint.requests.every((request) => request.partialSuccess === false)).toBe(true);
  });

  it("sends exactly what the library's Logging client sends: same request body, same x-goog-api-client header (REST)", async () => {
    const clientOptions = {
      authClient: fixedTokenAuthClient(token),
      apiEndpoint: endpoint.host,
      port: endpoint.port,
      protocol: "http" as const,
    };
    const scope = { job: "withdraw", taskId: "2026/11/28/[$LATEST]abc" };
    const entries = [toolCallEvent(0), toolCallEvent(1)].map((event) =>
      toShippableEntry(event, decodeSubscriptionPayload(payload([event])), context),
    );
    // The packages nest different google-auth-library majors, whose AuthClient types do not match.
    const library = new Logging({ projectId: project, fallback: true, ...clientOptions } as unknown as LoggingOptions);
    const libraryService = library.loggingService as unknown as LoggingServiceV2;
    const signal = new AbortController().signal;
    await cloudLoggingWriter(libraryService, target, scope).write(entries, signal);
    await cloudLoggingWriter(createLogging(project, clientOptions), target, scope).write(entries, signal);
    expect(endpoint.requests).toHaveLength(2);
    expect(endpoint.requests[1]).toEqual(endpoint.requests[0]);
    expect(endpoint.clientHeaders[0]).toMatch(/^gax\/\S+-fallback gapic\/\S+ gl-node\/\S+ rest\/\S+ gccl\/11\.4\.0/);
    expect(endpoint.clientHeaders[1]).toBe(endpoint.clientHeaders[0]);
  });

  it("delivers a stream's records in timestamp order even when the payload lists them out of order", async () => {
    const shuffled = events(50).reverse();
    await ship(payload(shuffled));
    expect(endpoint.entries.map((entry) => entry.jsonPayload?.sequence)).toEqual(
      Array.from({ length: 50 }, (_, index) => index),
    );
  });

  it("retries an endpoint that fails the first two attempts, and every record arrives exactly once", async () => {
    endpoint.fail({ status: 503, times: 2, message: "The service is currently unavailable." });
    const result = await ship(payload(events(300)));
    expect(result.retries).toBe(2);
    expect(endpoint.attempts()).toBe(3);
    expect(endpoint.entries).toHaveLength(300);
    expect(new Set(endpoint.entries.map((entry) => entry.insertId)).size).toBe(300);
  });

  it("retries rate limiting (429) too", async () => {
    endpoint.fail({ status: 429, times: 1, message: "Quota exceeded" });
    await ship(payload(events(10)));
    expect(endpoint.entries).toHaveLength(10);
  });

  it("throws on a permanent failure, without retrying it, and nothing is acknowledged", async () => {
    endpoint.fail({ status: 403, message: "Permission 'logging.logEntries.create' denied" });
    const failure = await ship(payload(events(20))).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ShipFailedError);
    expect((failure as ShipFailedError).shipped).toBe(0);
    expect((failure as ShipFailedError).remaining).toBe(20);
    expect(endpoint.attempts()).toBe(1);
    expect(endpoint.entries).toHaveLength(0);
  });

  it("throws when transient failures outlast the retry budget", async () => {
    endpoint.fail({ status: 503 });
    await expect(ship(payload(events(5)))).rejects.toThrow(ShipFailedError);
    expect(endpoint.attempts()).toBe(fastRetries.maxAttempts);
    expect(endpoint.entries).toHaveLength(0);
  });

  it("throws when the credential is refused", async () => {
    const wrongToken = localShipper(endpoint, "wrong", { target, context, policy: fastRetries });
    await expect(wrongToken(payload(events(3)))).rejects.toThrow(ShipFailedError);
    expect(endpoint.entries).toHaveLength(0);
  });

  it("splits a batch the API refuses as too large, and keeps the order", async () => {
    const small = await startCloudLoggingEndpoint({ token, maxRequestBytes: 40_000 });
    try {
      const shipSmall = localShipper(small, token, { target, context, policy: fastRetries });
      const result = await shipSmall(payload(events(200)));
      expect(result.splits).toBeGreaterThan(0);
      expect(small.entries.map((entry) => entry.jsonPayload?.sequence)).toEqual(
        Array.from({ length: 200 }, (_, index) => index),
      );
      expect(small.requests.length).toBeGreaterThan(1);
    } finally {
      await small.close();
    }
  });

  it("redacts again before shipping (C1): planted secrets never reach Cloud Logging", async () => {
    const privateKey = `0x${"4c0883a69102937d6231471b5dbb6204fe512961708279f3a3e6d8b4f8e2c1d"}a`;
    const signature = `0x${"ab".repeat(65)}`;
    const serialized = `0x02f8${"cd".repeat(120)}`;
    const rpcKey = "s3cr3t-alchemy-key-9d8e";
    const mnemonic = "test test test test test test test test test test test junk";
    const planted = [
      toolCallEvent(0, { privateKey }),
      toolCallEvent(1, { message: `signed with ${signature}` }),
      toolCallEvent(2, {
        tx: { nonce: 7, gas: "21000", data: "0x", to: "0x0000000000000000000000000000000000000001", hash: "0xfeed" },
      }),
      toolCallEvent(3, { detail: { raw: serialized } }),
      toolCallEvent(4, { error: `request to https://polygon-amoy.g.alchemy.com/v2/${rpcKey} failed` }),
      toolCallEvent(5, { nested: { mnemonic } }),
      { id: "9".repeat(56), timestamp: start + 6, message: `plain line with signature ${signature}` },
      toolCallEvent(7),
    ];
    await ship(payload(planted));
    expect(endpoint.entries).toHaveLength(planted.length);
    const wire = JSON.stringify(endpoint.requests);
    for (const secret of [privateKey, signature.slice(2), serialized.slice(2, 200), rpcKey, mnemonic]) {
      expect(wire).not.toContain(secret);
    }
    expect(endpoint.entries[2]?.jsonPayload?.tx).toEqual({ redacted: "transaction", hash: "0xfeed" });
    expect(endpoint.entries.map((entry) => entry.labels?.redacted)).toEqual([
      "true",
      "true",
      "true",
      "true",
      "true",
      "true",
      "true",
      undefined,
    ]);
    expect(endpoint.entries[6]?.textPayload).toContain("[redacted]");
  });

  it("ships what the jobs' own logger writes: trace from xray_trace_id, labels from toolCall and from top-level exchangeId/txHash (B4)", async () => {
    const lines: string[] = [];
    const savedTrace = process.env._X_AMZN_TRACE_ID;
    process.env._X_AMZN_TRACE_ID = `Root=${traceId};Parent=53995c3f42cd8ad8;Sampled=1`;
    // Powertools writes info to stdout and warnings to stderr.
    const writeOut = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    const capture = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    try {
      const logger = createJobLogger("watcher");
      logToolCall(logger, { tool: "rpc", operation: "getExchange", exchangeId: "77", durationMs: 5, outcome: "ok" });
      logger.warn("dispute raised", { alert: "dispute-raised", exchangeId: "77", txHash: `0x${"b".repeat(64)}` });
    } finally {
      process.stdout.write = writeOut;
      process.stderr.write = writeErr;
      if (savedTrace === undefined) delete process.env._X_AMZN_TRACE_ID;
      else process.env._X_AMZN_TRACE_ID = savedTrace;
    }
    const records = lines.flatMap((chunk) => chunk.split("\n")).filter((line) => line.startsWith("{"));
    expect(records).toHaveLength(2);
    await ship(
      payload(
        records.map((message, index) => ({
          id: `4${String(index).padStart(55, "0")}`,
          timestamp: start + index,
          message,
        })),
      ),
    );
    expect(endpoint.entries.map((entry) => entry.trace)).toEqual([
      `projects/${project}/traces/${traceId}`,
      `projects/${project}/traces/${traceId}`,
    ]);
    expect(endpoint.entries.map((entry) => entry.labels)).toEqual([
      { stack: "staging", configId: "staging-80002-0", job: "watcher", exchangeId: "77" },
      {
        stack: "staging",
        configId: "staging-80002-0",
        job: "watcher",
        exchangeId: "77",
        txHash: `0x${"b".repeat(64)}`,
      },
    ]);
    expect(endpoint.entries.map((entry) => entry.severity)).toEqual([200, 400]);
  });

  it("writes nothing for CloudWatch's control message", async () => {
    const result = await ship(payload([], "CONTROL_MESSAGE"));
    expect(result.entries).toBe(0);
    expect(endpoint.attempts()).toBe(0);
  });

  it("fails loudly on a payload that is not base64 gzip JSON", async () => {
    await expect(ship({ awslogs: { data: Buffer.from("not gzip").toString("base64") } })).rejects.toThrow(
      /base64 gzip JSON/,
    );
    await expect(ship({} as CloudWatchLogsEvent)).rejects.toThrow(/awslogs.data/);
  });

  it("keeps an oversized record as a marked, cut-down entry instead of losing it", async () => {
    await ship(payload([toolCallEvent(0, { dump: "x".repeat(300_000) })]));
    expect(endpoint.entries).toHaveLength(1);
    const entry = endpoint.entries[0];
    expect(entry?.labels?.exchangeId).toBe("1000");
    expect(entry?.jsonPayload?.truncated).toMatchObject({ originalBytes: expect.any(Number) });
    expect(JSON.stringify(entry).length).toBeLessThan(256 * 1024);
  });
});

describe("shipper: failure classification", () => {
  it("tells transient, too-large and permanent failures apart", () => {
    expect(classifyFailure({ code: 14, message: "unavailable" })).toBe("transient");
    expect(classifyFailure({ code: 503, status: 503, message: '{"error":{"code":503,"status":"UNAVAILABLE"}}' })).toBe(
      "transient",
    );
    expect(
      classifyFailure({
        code: 400,
        status: 400,
        message:
          '{"error":{"code":400,"message":"Request payload size exceeds the limit: 10485760 bytes.","status":"INVALID_ARGUMENT"}}',
      }),
    ).toBe("too-large");
    expect(classifyFailure({ httpStatusCode: 413, code: 3, message: "" })).toBe("too-large");
    expect(classifyFailure({ code: 7, message: "denied" })).toBe("permanent");
    expect(
      classifyFailure({
        code: 400,
        status: 400,
        message: '{"error":{"code":400,"status":"INVALID_ARGUMENT","message":"bad label"}}',
      }),
    ).toBe("permanent");
    expect(classifyFailure(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe("transient");
    expect(classifyFailure(new Error("something else"))).toBe("permanent");
  });
});
