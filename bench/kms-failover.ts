/**
 * Failover latency of the KMS account on a multi-Region key, against two
 * local KMS endpoints holding the same key material (test/harness/kms-multi-region.ts).
 *
 * Per retry policy it reports the median latency of a signature while the
 * primary is healthy, of the one signature that meets the stopped primary
 * (its retries, then the replica), of signatures on the replica afterwards,
 * and of the first signature back on the recovered primary; the ratios are to
 * the healthy median of the same run. A stopped local endpoint refuses
 * connections at once; a real regional outage can also hang until the
 * client's connection timeout (2 s), which this bench does not model.
 *
 * Run: npx tsx bench/kms-failover.ts [rounds]
 */
import { bytesToHex } from "viem";
import { randomBytes } from "node:crypto";
import { kmsAccount } from "../lambdas/shared/kms-account/account";
import { defaultRetryPolicy, type RetryPolicy } from "../lambdas/shared/runtime/retry";
import { startMultiRegionKms } from "../test/harness/kms-multi-region";

const ROUNDS = Number(process.argv[2] ?? 20);
const digest = () => bytesToHex(randomBytes(32));

const policies: { name: string; retry: RetryPolicy }[] = [
  { name: "default (5 attempts, 10 s)", retry: defaultRetryPolicy },
  { name: "tight (3 attempts, 2 s)", retry: { maxAttempts: 3, maxElapsedMs: 2_000, baseDelayMs: 50, maxDelayMs: 500 } },
];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function measure(
  retry: RetryPolicy,
): Promise<Record<"healthy" | "failover" | "onReplica" | "recovered", number[]>> {
  const samples = {
    healthy: [] as number[],
    failover: [] as number[],
    onReplica: [] as number[],
    recovered: [] as number[],
  };
  for (let round = 0; round < ROUNDS; round++) {
    const kms = await startMultiRegionKms();
    try {
      let probeAfterMs = 60_000;
      const account = await kmsAccount({
        keyId: kms.primaryArn,
        client: kms.primary.client(),
        retry,
        replica: {
          keyId: kms.replicaArn,
          client: kms.replica.client(),
          get probeAfterMs() {
            return probeAfterMs;
          },
        },
      });
      for (let index = 0; index < 5; index++) samples.healthy.push(await timed(() => account.sign({ hash: digest() })));
      await kms.primary.stop();
      samples.failover.push(await timed(() => account.sign({ hash: digest() })));
      for (let index = 0; index < 5; index++)
        samples.onReplica.push(await timed(() => account.sign({ hash: digest() })));
      await kms.primary.start();
      probeAfterMs = 0;
      samples.recovered.push(await timed(() => account.sign({ hash: digest() })));
    } finally {
      await kms.close();
    }
  }
  return samples;
}

async function main(): Promise<void> {
  console.log(`KMS failover latency, ${ROUNDS} rounds per policy (medians, ms; ratio to healthy)\n`);
  console.log("| retry policy | healthy | failover signature | on replica | back on primary |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const { name, retry } of policies) {
    const samples = await measure(retry);
    const healthy = median(samples.healthy);
    const cell = (values: number[]) => `${median(values).toFixed(1)} (${(median(values) / healthy).toFixed(1)}x)`;
    console.log(
      `| ${name} | ${healthy.toFixed(1)} | ${cell(samples.failover)} | ${cell(samples.onReplica)} | ${cell(samples.recovered)} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
