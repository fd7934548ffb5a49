/**
 * KMS signers side by side: this kit's `kmsAccount` and published KMS signers
 * from npm, each signing the same 1,000 EIP-1559 transactions against the same
 * local KMS endpoint (test/harness/kms-endpoint.ts), in one run.
 *
 * Per signer it reports KMS calls per signature (counted at the endpoint) and
 * the local overhead per signature: wall time of the signing call minus the
 * time spent inside the SDK's `send` (measured by a middleware on each
 * signer's own KMS client), so what remains is the signer's own work (DER
 * parsing, normalisation, recovery, hashing, serialisation).
 *
 * Signers take turns transaction by transaction (rotating who goes first), so
 * GC pauses and CPU noise fall on all of them alike; each signature is checked
 * afterwards (low s, recovers to the signer's address).
 *
 * Run: npx tsx bench/kms-signer.ts [count]
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import { KMSSigner } from "@rumblefishdev/eth-signer-kms";
import {
  hexToBigInt,
  parseTransaction,
  recoverTransactionAddress,
  type Address,
  type Hex,
  type TransactionSerializableEIP1559,
} from "viem";
import { kmsAccount } from "../lambdas/shared/kms-account/account";
import { startKmsEndpoint, type KmsEndpoint, type KmsOperation } from "../test/harness/kms-endpoint";

type Signer = {
  name: string;
  /** Published package, or "this kit". */
  origin: string;
  address: Address;
  kmsMs: () => number;
  sign: (transaction: TransactionSerializableEIP1559) => Promise<Hex>;
};

type Result = {
  signer: Signer;
  setupCalls: number;
  calls: Record<KmsOperation, number>;
  overheadMs: number[];
  kmsMs: number[];
  invalid: number;
};

const COUNT = Number(process.argv[2] ?? 1_000);
const WARM_UP = 50;
const CHAIN_ID = 31337;
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** A KMS client whose `send` time is accumulated, so it can be subtracted. */
function timedClient(endpoint: KmsEndpoint): { client: KMSClient; kmsMs: () => number } {
  const client = endpoint.client();
  let total = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        total += performance.now() - started;
      }
    },
    { step: "initialize", name: "benchKmsTiming", priority: "high" },
  );
  return { client, kmsMs: () => total };
}

function transactions(count: number, offset: number): TransactionSerializableEIP1559[] {
  return Array.from({ length: count }, (_, index) => ({
    type: "eip1559",
    chainId: CHAIN_ID,
    nonce: offset + index,
    to: "0x1111111111111111111111111111111111111111",
    value: 10n ** 15n + BigInt(index),
    gas: 21_000n,
    maxFeePerGas: 30_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
  }));
}

async function thisKit(endpoint: KmsEndpoint, keyId: string): Promise<Signer> {
  const { client, kmsMs } = timedClient(endpoint);
  const account = await kmsAccount({ keyId, client });
  return {
    name: "kmsAccount",
    origin: "this kit",
    address: account.address,
    kmsMs,
    sign: (tx) => account.signTransaction(tx),
  };
}

async function lattice(endpoint: KmsEndpoint, keyId: string): Promise<Signer> {
  const { client, kmsMs } = timedClient(endpoint);
  // The package is ESM-only; a dynamic import keeps this CommonJS script loadable.
  const { kmsKeyToAccount } = await import("@latticexyz/common/kms");
  const account = await kmsKeyToAccount({ keyId, client });
  return {
    name: "kmsKeyToAccount",
    origin: "@latticexyz/common@2.2.23",
    address: account.address,
    kmsMs,
    sign: (tx) => account.signTransaction(tx),
  };
}

async function rumblefish(endpoint: KmsEndpoint, keyId: string): Promise<Signer> {
  const { client, kmsMs } = timedClient(endpoint);
  // No provider: signTransaction of a fully populated transaction never uses it.
  const provider = null as unknown as Parameters<typeof KMSSigner.create>[0];
  const signer = await KMSSigner.create(provider, keyId, client);
  return {
    name: "KMSSigner (ethers v6)",
    origin: "@rumblefishdev/eth-signer-kms@4.3.1",
    address: (await signer.getAddress()) as Address,
    kmsMs,
    sign: async (tx) =>
      (await signer.signTransaction({
        type: 2,
        chainId: tx.chainId,
        nonce: tx.nonce ?? null,
        to: tx.to ?? null,
        value: tx.value ?? null,
        gasLimit: tx.gas ?? null,
        maxFeePerGas: tx.maxFeePerGas ?? null,
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? null,
      })) as Hex,
  };
}

function delta(
  after: Record<KmsOperation, number>,
  before: Record<KmsOperation, number>,
): Record<KmsOperation, number> {
  return {
    CreateKey: after.CreateKey - before.CreateKey,
    DescribeKey: after.DescribeKey - before.DescribeKey,
    GetPublicKey: after.GetPublicKey - before.GetPublicKey,
    Sign: after.Sign - before.Sign,
  };
}

const totalCalls = (calls: Record<KmsOperation, number>) =>
  calls.CreateKey + calls.DescribeKey + calls.GetPublicKey + calls.Sign;

async function isValid(signer: Signer, serialized: Hex): Promise<boolean> {
  const parsed = parseTransaction(serialized);
  if (parsed.type !== "eip1559" || parsed.s === undefined) return false;
  if (hexToBigInt(parsed.s) > HALF_N) return false;
  return (await recoverTransactionAddress({ serializedTransaction: serialized as `0x02${string}` })) === signer.address;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

async function main(): Promise<void> {
  const endpoint = await startKmsEndpoint();
  const { keyId } = endpoint.createKey();
  const results: Result[] = [];
  const notes: string[] = [];

  for (const [label, build] of [
    ["this kit", thisKit],
    ["@latticexyz/common", lattice],
    ["@rumblefishdev/eth-signer-kms", rumblefish],
  ] as const) {
    const before = endpoint.calls();
    try {
      const signer = await build(endpoint, keyId);
      const setupCalls = totalCalls(delta(endpoint.calls(), before));
      results.push({ signer, setupCalls, calls: delta(before, before), overheadMs: [], kmsMs: [], invalid: 0 });
    } catch (error) {
      notes.push(`${label} could not run here, left out: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (!results.some((result) => result.signer.origin === "this kit"))
    throw new Error(`this kit's signer failed: ${notes.join("; ")}`);
  if (results.length < 3)
    notes.push("fewer than two published peers ran; add another installed KMS signer to compare against");

  // Warm-up (JIT, connection pools), not measured.
  for (const tx of transactions(WARM_UP, 1_000_000)) for (const { signer } of results) await signer.sign(tx);

  const signed = new Map<Result, Hex[]>(results.map((result) => [result, []]));
  for (const [index, tx] of transactions(COUNT, 0).entries()) {
    for (let turn = 0; turn < results.length; turn++) {
      const result = results[(index + turn) % results.length] as Result; // index is in range by construction
      const callsBefore = endpoint.calls();
      const kmsBefore = result.signer.kmsMs();
      const started = performance.now();
      const serialized = await result.signer.sign(tx);
      const wall = performance.now() - started;
      const kms = result.signer.kmsMs() - kmsBefore;
      result.kmsMs.push(kms);
      result.overheadMs.push(wall - kms);
      const calls = delta(endpoint.calls(), callsBefore);
      for (const operation of Object.keys(calls) as KmsOperation[]) result.calls[operation] += calls[operation];
      signed.get(result)?.push(serialized);
    }
  }
  for (const result of results) {
    for (const serialized of signed.get(result) ?? [])
      if (!(await isValid(result.signer, serialized))) result.invalid += 1;
  }
  await endpoint.close();

  const peers = results.filter((result) => result.signer.origin !== "this kit");
  const fastestPeer = Math.min(...peers.map((result) => mean(result.overheadMs)));
  const rows = results.map((result) => {
    const sorted = [...result.overheadMs].sort((a, b) => a - b);
    return {
      signer: `${result.signer.name} (${result.signer.origin})`,
      "setup KMS calls": result.setupCalls,
      "KMS calls / sig": (totalCalls(result.calls) / COUNT).toFixed(2),
      "GetPublicKey / sig": (result.calls.GetPublicKey / COUNT).toFixed(2),
      "mean KMS ms": mean(result.kmsMs).toFixed(3),
      "mean overhead ms": mean(sorted).toFixed(3),
      "p99 overhead ms": percentile(sorted, 99).toFixed(3),
      "mean vs fastest peer": (mean(sorted) / fastestPeer).toFixed(2),
      "valid sigs": `${COUNT - result.invalid}/${COUNT}`,
    };
  });

  console.log(`KMS signers, ${COUNT} EIP-1559 transactions each, local KMS endpoint, node ${process.version}`);
  console.log(
    "KMS ms = time inside KMSClient.send (SDK, HTTP, and the endpoint's own signing, which runs in this process)",
  );
  console.log("overhead = wall time of signTransaction minus KMS ms: the signer's own work\n");
  console.table(rows);
  const ours = results.find((result) => result.signer.origin === "this kit");
  if (ours !== undefined && peers.length > 0) {
    const callsPerSig = totalCalls(ours.calls) / COUNT;
    const bestPeerP99 = Math.min(
      ...peers.map((result) =>
        percentile(
          [...result.overheadMs].sort((a, b) => a - b),
          99,
        ),
      ),
    );
    const ourP99 = percentile(
      [...ours.overheadMs].sort((a, b) => a - b),
      99,
    );
    console.log(
      `goal 1.00 KMS call per signature: ${callsPerSig.toFixed(2)} -> ${callsPerSig === 1 ? "met" : "NOT met"}`,
    );
    console.log(
      `goal overhead <= best peer's: mean ${mean(ours.overheadMs).toFixed(3)} vs ${fastestPeer.toFixed(3)} ms, p99 ${ourP99.toFixed(3)} vs ${bestPeerP99.toFixed(3)} ms -> ${mean(ours.overheadMs) <= fastestPeer && ourP99 <= bestPeerP99 ? "met" : "NOT met"}`,
    );
  }
  for (const note of notes) console.log(`note: ${note}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
