import { randomBytes } from "node:crypto";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWebhookSecretReader, parseWebhookSecret } from "../../lambdas/shared/webhooks/signing-secret";
import { createWebhookSender, endpointKey, type WebhookRetryPolicy } from "../../lambdas/shared/webhooks/delivery";
import { startSecretsEndpoint, type SecretsEndpoint } from "../harness/secrets-endpoint";
import { startWebhookReceiver, type WebhookReceiver } from "../harness/webhook-receiver";

const secret = `whsec_${randomBytes(32).toString("base64")}`;
const fast: WebhookRetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 2_000 };
const message = {
  id: `0x${"1".repeat(64)}#3`,
  type: "boson.exchange.voucher_redeemed",
  data: { exchangeId: "7", offerId: "2" },
};

let receiver: WebhookReceiver;
let other: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver(secret);
  other = await startWebhookReceiver(secret);
});
afterAll(async () => {
  await receiver?.stop();
  await other?.stop();
});
beforeEach(() => {
  receiver.reset();
  other.reset();
});

describe("webhooks (Standard Webhooks, S5)", () => {
  it("signs each delivery so a standardwebhooks receiver verifies it, with the event id as webhook-id", async () => {
    const sender = createWebhookSender({
      secret,
      endpoints: [receiver.url],
      retry: fast,
      headers: () => ({ "X-Amzn-Trace-Id": "Root=1-abc-def" }),
    });
    const delivery = await sender.deliver(message);
    expect(delivery.status).toBe("delivered");
    const [call] = receiver.delivered();
    expect(call?.id).toBe(message.id);
    expect(call?.payload?.type).toBe(message.type);
    expect(call?.payload?.data).toEqual(message.data);
    expect(call?.signature).toMatch(/^v1,/);
    expect(call?.headers["x-amzn-trace-id"]).toBe("Root=1-abc-def");
    // A receiver holding another key rejects it.
    expect(() =>
      new Webhook(`whsec_${randomBytes(32).toString("base64")}`).verify(call?.body ?? "", {
        "webhook-id": call?.id ?? "",
        "webhook-timestamp": call?.timestamp ?? "",
        "webhook-signature": call?.signature ?? "",
      }),
    ).toThrow();
  });

  it("retries a 500 with backoff and succeeds when the endpoint recovers", async () => {
    receiver.failWith(500, 2);
    const delays: number[] = [];
    const sender = createWebhookSender({
      secret,
      endpoints: [receiver.url],
      retry: fast,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const delivery = await sender.deliver(message);
    expect(delivery.status).toBe("delivered");
    expect(delivery.endpoints[endpointKey(receiver.url)]?.attempts).toBe(3);
    expect(receiver.calls.map((call) => call.status)).toEqual([500, 500, 204]);
    expect(delays).toHaveLength(2);
    // Every retry carries the same webhook-id, so the receiver can dedupe.
    expect(new Set(receiver.calls.map((call) => call.id))).toEqual(new Set([message.id]));
  });

  it("dead-letters after the attempts run out, and a 4xx at once", async () => {
    receiver.failWith(500);
    other.failWith(400);
    const sender = createWebhookSender({ secret, endpoints: [receiver.url, other.url], retry: fast });
    const delivery = await sender.deliver(message);
    expect(delivery.status).toBe("dead-lettered");
    expect(delivery.endpoints[endpointKey(receiver.url)]).toMatchObject({
      status: "dead-lettered",
      attempts: 3,
      lastStatusCode: 500,
    });
    expect(delivery.endpoints[endpointKey(other.url)]).toMatchObject({
      status: "dead-lettered",
      attempts: 1,
      lastStatusCode: 400,
    });
  });

  it("after an endpoint exhausts its retries, dead-letters its later messages in the run without calling it", async () => {
    receiver.failWith(503);
    other.failWith(400);
    const sender = createWebhookSender({ secret, endpoints: [receiver.url, other.url], retry: fast });
    await sender.deliver(message);
    expect(receiver.calls).toHaveLength(3);
    expect(other.calls).toHaveLength(1);
    receiver.succeed();
    other.succeed();
    const second = await sender.deliver({ ...message, id: `${message.id.split("#")[0]}#4` });
    expect(receiver.calls).toHaveLength(3); // circuit open for the endpoint that kept failing
    expect(second.endpoints[endpointKey(receiver.url)]).toMatchObject({ status: "dead-lettered", attempts: 0 });
    // A 4xx is about the message, not the endpoint: the next message is tried.
    expect(second.endpoints[endpointKey(other.url)]).toMatchObject({ status: "delivered", attempts: 1 });
    // A new run (a new sender) tries it again.
    expect(
      (await createWebhookSender({ secret, endpoints: [receiver.url], retry: fast }).deliver(message)).status,
    ).toBe("delivered");
  });

  it("treats a closed port as retryable and dead-letters it without throwing", async () => {
    const closed = await startWebhookReceiver(secret);
    await closed.stop();
    const sender = createWebhookSender({ secret, endpoints: [closed.url], retry: fast });
    const delivery = await sender.deliver(message);
    expect(delivery.endpoints[endpointKey(closed.url)]).toMatchObject({ status: "dead-lettered", attempts: 3 });
    expect(delivery.endpoints[endpointKey(closed.url)]?.lastStatusCode).toBeUndefined();
  });

  it("skips endpoints an earlier run already delivered to", async () => {
    const sender = createWebhookSender({ secret, endpoints: [receiver.url, other.url], retry: fast });
    const previous = {
      status: "pending" as const,
      endpoints: { [endpointKey(receiver.url)]: { status: "delivered" as const, attempts: 1, at: "" } },
    };
    const delivery = await sender.deliver(message, previous);
    expect(delivery.status).toBe("delivered");
    expect(receiver.calls).toHaveLength(0);
    expect(other.delivered()).toHaveLength(1);
  });
});

describe("webhook secret (Secrets Manager, read once)", () => {
  let secrets: SecretsEndpoint;
  let webhookArn: string;
  let badArn: string;
  beforeAll(async () => {
    secrets = await startSecretsEndpoint();
    webhookArn = secrets.putSecret("webhook", secret);
    badArn = secrets.putSecret("bad", "not-a-secret");
  });
  afterAll(async () => {
    await secrets?.close();
  });
  const client = () =>
    new SecretsManagerClient({
      endpoint: secrets.url,
      region: "us-east-1",
      credentials: { accessKeyId: "l", secretAccessKey: "l" },
    });

  it("reads the whsec_ value by ARN once per container", async () => {
    const read = createWebhookSecretReader(client(), webhookArn);
    const before = secrets.reads()[webhookArn] ?? 0;
    expect(await read()).toBe(secret);
    expect(await read()).toBe(secret);
    expect((secrets.reads()[webhookArn] ?? 0) - before).toBe(1);
  });

  it("rejects a value that is not a Standard Webhooks secret, without echoing it", async () => {
    const read = createWebhookSecretReader(client(), badArn);
    const error = await read().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).not.toContain("not-a-secret");
    expect(() => parseWebhookSecret("whsec_c2hvcnQ=")).toThrow(/shorter/);
  });

  it("does not cache a failed read", async () => {
    // The stand-in's ARNs are `arn:...:secret:<name>-AbCdEf`: known before the secret exists.
    const laterArn = webhookArn.replace(":secret:webhook-", ":secret:later-");
    const read = createWebhookSecretReader(client(), laterArn);
    await expect(read()).rejects.toThrow();
    expect(secrets.putSecret("later", secret)).toBe(laterArn);
    expect(await read()).toBe(secret);
  });
});
