/**
 * Tracing without X-Ray subsegments (B4): the X-Ray trace id Lambda sets is on
 * every log record a run writes (Powertools Logger's `xray_trace_id`), the
 * shipper turns it into the Cloud Logging entry's `trace`, and the jobs
 * forward it on their HTTP calls. So the trace id alone brings back one
 * run's whole path, in order, from the shipped logs of all the jobs, and
 * nothing of any other run. (Powertools Tracer was dropped: it added 123 KiB
 * to every bundle for what these records already give; bench/cold-start.ts.)
 */
import type { CloudWatchLogsLogEvent } from "aws-lambda";
import { parseEther, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { traceHeaders } from "../../lambdas/shared/runtime/trace";
import { createWebhookSender } from "../../lambdas/shared/webhooks/delivery";
import { toShippableEntry, traceName, type ShippableEntry } from "../../lambdas/shipper/entries";
import { runWatcher } from "../../lambdas/watcher/watcher";
import { baseConfig, fastRetry, freshTables, watcherDeps } from "../fixtures/watcher/watcher-env";
import type { Anvil } from "../harness/anvil";
import type { Dynalite } from "../harness/dynalite";
import { captureStdout } from "../harness/job-output";
import { anvilKeys, createOffer, createSeller, send, type FixtureDeployment } from "../harness/protocol-fixture";
import type { WebhookReceiver } from "../harness/webhook-receiver";
import { startWatcherPeers, webhookSecret } from "../harness/watcher-peers";

const secret = webhookSecret();
const project = "boson-kit-staging";
const traces = { first: "1-6a1b2c3d-0123456789abcdef01234567", second: "1-6a1b2c3e-89abcdef0123456789abcdef" };

let anvil: Anvil;
let db: Dynalite;
let receiver: WebhookReceiver;
let fixture: FixtureDeployment;

beforeAll(async () => {
  ({ anvil, db, receiver, fixture } = await startWatcherPeers(secret));
});
afterAll(async () => {
  delete process.env._X_AMZN_TRACE_ID;
  await Promise.all([anvil?.stop(), db?.stop(), receiver?.stop()]);
});

/** One watcher run under a Lambda trace id, its records shipped as the shipper would. */
async function tracedRun(
  traceId: string,
  sellerId: bigint,
  startBlock: bigint,
  logGroup: string,
): Promise<ShippableEntry[]> {
  process.env._X_AMZN_TRACE_ID = `Root=${traceId};Parent=53995c3f42cd8ad8;Sampled=1`;
  const output = captureStdout();
  try {
    const logger = createJobLogger("watcher");
    const tables = await freshTables(db);
    const deps = watcherDeps({
      db,
      tables,
      client: fixture.publicClient as PublicClient,
      config: baseConfig(fixture.diamond, sellerId, { startBlock }),
    });
    await runWatcher({
      ...deps,
      logger,
      webhooks: createWebhookSender({
        secret,
        endpoints: [receiver.url],
        retry: fastRetry,
        headers: () => traceHeaders(),
        logger,
      }),
    });
  } finally {
    output.restore();
    delete process.env._X_AMZN_TRACE_ID;
  }
  const source = {
    messageType: "DATA_MESSAGE" as const,
    owner: "123456789012",
    logGroup,
    logStream: "s",
    subscriptionFilters: [],
    logEvents: [],
  };
  return output.lines().map((record, index) => {
    const event: CloudWatchLogsLogEvent = {
      id: `${traceId}-${index}`,
      timestamp: Date.now(),
      message: JSON.stringify(record),
    };
    return toShippableEntry(event, source, { gcpProject: project, stack: "staging", configId: "staging-1-1" });
  });
}

it("brings back one run's whole path, in order, by its trace id alone", async () => {
  const kit = privateKeyToAccount(anvilKeys[1]).address;
  const { sellerId } = await createSeller(fixture, kit, kit);
  const startBlock = (await fixture.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
  const offerId = await createOffer(fixture, sellerId, { price: parseEther("0.01") });
  const buyer = privateKeyToAccount(anvilKeys[2]).address;
  await send(fixture, fixture.wallet(anvilKeys[2]), {
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "commitToOffer",
    args: [buyer, offerId],
    value: parseEther("0.01"),
  });
  await fixture.testClient.mine({ blocks: 3 });

  // Two runs in two log groups, as they would sit side by side in the log bucket.
  const shipped = [
    ...(await tracedRun(traces.first, sellerId, startBlock, "watcher-job-logs-a1b2c3d")),
    ...(await tracedRun(traces.second, sellerId, startBlock, "watcher-job-logs-e4f5a6b")),
  ];
  const byTrace = (traceId: string) => shipped.filter((entry) => entry.metadata.trace === traceName(project, traceId));
  const first = byTrace(traces.first);
  const second = byTrace(traces.second);

  // Every shipped record belongs to exactly one of the two runs.
  expect(first.length + second.length).toBe(shipped.length);
  // The first run's path, from its records alone: read the head and checkpoint, the logs, store the event, send it, move the checkpoint.
  const steps = first
    .map((entry) =>
      typeof entry.payload === "string"
        ? undefined
        : (entry.payload.toolCall as { tool: string; operation: string } | undefined),
    )
    .filter((call) => call !== undefined)
    .map((call) => `${call.tool}.${call.operation}`);
  const expected = [
    "rpc.getBlock",
    "dynamodb.readCheckpoint",
    "rpc.getLogs",
    "dynamodb.putEvent",
    "webhook.deliver",
    "dynamodb.advanceCheckpoint",
  ];
  expect(steps.filter((step) => expected.includes(step))).toEqual(expected);
  // Each run's downstream calls carried its own id: the fulfillment endpoint saw the first run's, then the second's.
  const headers = receiver.calls.map((call) => call.headers["x-amzn-trace-id"]);
  expect(headers).toEqual([`Root=${traces.first}`, `Root=${traces.second}`]);
  expect(second.length).toBeGreaterThan(0);
});
