import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recoverAddress, zeroAddress } from "viem";
import { SignerAddressMismatchError } from "../../lambdas/shared/kms-account/pinned-address";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import { createJobMetrics } from "../../lambdas/shared/runtime/metrics";
import { signerAccount } from "../../lambdas/shared/runtime/signer-account";
import { metricNames } from "../../lambdas/contract/metrics-catalog";
import { signerAlarms } from "../../infra/definitions/signer-alarms";
import { captureStdout, type CapturedOutput } from "../harness/job-output";
import { startMultiRegionKms, type MultiRegionKms } from "../harness/kms-multi-region";
import { randomDigest } from "../harness/kms-test-accounts";

describe("the job's signer account", () => {
  let kms: MultiRegionKms;
  let output: CapturedOutput;
  beforeEach(async () => {
    kms = await startMultiRegionKms();
    output = captureStdout();
  });
  afterEach(async () => {
    output.restore();
    await kms.close();
  });

  const build = (pinnedAddress?: `0x${string}`) => {
    const metrics = createJobMetrics("withdraw", "production");
    const account = signerAccount({
      keyId: kms.primaryArn,
      replicaKeyArn: kms.replicaArn,
      pinnedAddress,
      logger: createJobLogger("withdraw", { configId: "production-137-0", stack: "production" }),
      metrics,
      clients: { primary: kms.primary.client(), replica: kms.replica.client() },
    });
    return { metrics, account };
  };

  it("refuses to sign for a key whose address is not the pinned one, with an alarm metric and a clear error", async () => {
    const { account } = build(zeroAddress);
    await expect(account).rejects.toBeInstanceOf(SignerAddressMismatchError);
    await expect(account).rejects.toThrow(
      /pins the signer to 0x0000000000000000000000000000000000000000 \(boson-kit:signer\.address\): refusing to sign/,
    );
    expect(output.metricValues(metricNames.signerAddressMismatch)).toEqual([1]);
    expect(kms.primary.calls().Sign).toBe(0);
  });

  it("signs when the key is the pinned one (any letter case) and records a failover as a tool call and a metric", async () => {
    const probe = await build().account;
    const { account, metrics } = build(probe.address.toLowerCase() as `0x${string}`);
    const signer = await account;
    await kms.primary.stop();
    const hash = randomDigest();
    expect(await recoverAddress({ hash, signature: await signer.sign({ hash }) })).toBe(probe.address);
    metrics.flush();
    expect(output.metricValues(metricNames.kmsRegionFailover)).toEqual([1]);
    const failover = output.toolCalls().find((call) => call.operation === "failover.toReplica");
    expect(failover).toMatchObject({
      tool: "kms",
      outcome: "transient",
      details: { reason: "Unavailable", replicaKeyId: kms.replicaArn },
    });
    expect(JSON.stringify(output.lines())).not.toContain(hash.slice(2));
  });

  it("counts throttled KMS requests for the throttling alarm", async () => {
    const { account, metrics } = build();
    const signer = await account;
    kms.primary.injectFault({ error: "ThrottlingException", operation: "Sign", times: 1 });
    await signer.sign({ hash: randomDigest() });
    metrics.flush();
    expect(output.metricValues(metricNames.kmsThrottled)).toEqual([1]);
  });
});

describe("signer alarms", () => {
  it("pages on an address mismatch, throttling, a failover and an active standby, for each signing job", () => {
    const alarms = signerAlarms("production", { replica: true });
    expect(alarms.map((alarm) => [alarm.name, alarm.severity, alarm.metricName])).toEqual([
      ["withdraw-signer-address-mismatch", "critical", "SignerAddressMismatch"],
      ["withdraw-kms-throttled", "high", "KmsThrottled"],
      ["withdraw-kms-region-failover", "warning", "KmsRegionFailover"],
      ["withdraw-standby-active", "warning", "StandbyActive"],
      ["smoke-signer-address-mismatch", "critical", "SignerAddressMismatch"],
      ["smoke-kms-throttled", "high", "KmsThrottled"],
      ["smoke-kms-region-failover", "warning", "KmsRegionFailover"],
      ["smoke-standby-active", "warning", "StandbyActive"],
    ]);
    expect(alarms[0]?.dimensions).toEqual({ Stack: "production", service: "withdraw" });
  });

  it("declares no failover or standby alarm for a key without a replica: neither can fire", () => {
    expect(signerAlarms("staging", { replica: false }).map((alarm) => alarm.name)).toEqual([
      "withdraw-signer-address-mismatch",
      "withdraw-kms-throttled",
      "smoke-signer-address-mismatch",
      "smoke-kms-throttled",
    ]);
  });
});
