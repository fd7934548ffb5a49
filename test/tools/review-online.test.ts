import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getAddress, toFunctionSelector, zeroAddress, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StackEvaluation } from "../../infra/offline/evaluate";
import { readStackFile } from "../../infra/offline/stack-file";
import { runReview } from "../../tools/review";
import type { ReadinessReport } from "../../tools/review/report";
import { startAnvil, type Anvil } from "../harness/anvil";
import { deployProtocolFixture, send, setPaused, type FixtureDeployment } from "../harness/protocol-fixture";
import { evaluateCommittedStacks } from "../infra/stack-evaluation";
import { passedRun } from "./recorded-run";

/**
 * Online mode (--rpc) against anvil on 127.0.0.1 with chain id 137 and the
 * protocol fixture's code placed at production's official diamond address:
 * the review reads the diamond's code, seller 7's roles (assistant = the
 * KMS-derived address, admin a contract), the paused regions and the
 * subgraph's lag (a local GraphQL stand-in). Nothing leaves the machine.
 */

let anvil: Anvil;
let fixture: FixtureDeployment;
let production: StackEvaluation;
let subgraph: Server;
let subgraphUrl: string;
/** The block number the stand-in subgraph reports: the chain head minus this. */
let subgraphLag = 5;

const item = (report: ReadinessReport | undefined, id: string) => {
  const found = report?.checklist.find((i) => i.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

/** The fixture at the official diamond address: same runtime code, its own (empty) storage. */
async function placeFixtureAt(diamond: Address): Promise<FixtureDeployment> {
  const code = (await fixture.publicClient.getCode({ address: fixture.diamond })) as Hex;
  await fixture.testClient.setCode({ address: diamond, bytecode: code });
  return { ...fixture, diamond };
}

/** Creates sellers at the official diamond until seller `id` exists with the given roles. */
async function createSellerWithId(
  at: FixtureDeployment,
  id: bigint,
  roles: { assistant: Address; admin: Address; treasury: Address },
): Promise<void> {
  for (;;) {
    const { result } = await at.publicClient.simulateContract({
      address: at.diamond,
      abi: at.abi,
      functionName: "testOnly_createSeller",
      args: [zeroAddress, zeroAddress, zeroAddress],
      account: at.deployer.account,
    });
    const next = result as bigint;
    const args = next === id ? [roles.assistant, roles.admin, roles.treasury] : [zeroAddress, zeroAddress, zeroAddress];
    await send(at, at.deployer, { address: at.diamond, abi: at.abi, functionName: "testOnly_createSeller", args });
    if (next >= id) return;
  }
}

const review = (stack = "production", subgraph: string | false = subgraphUrl) =>
  runReview(readStackFile(stack), {
    rpc: anvil.rpcUrl,
    subgraphUrl: subgraph,
    outDir: false,
    review: { run: passedRun() },
  });

beforeAll(async () => {
  anvil = await startAnvil({ chainId: 137 });
  fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  ({ production } = await evaluateCommittedStacks());
  subgraph = createServer((_request, response) => {
    void fixture.publicClient.getBlockNumber().then((head) => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ data: { _meta: { block: { number: Math.max(0, Number(head) - subgraphLag) } } } }));
    });
  });
  await new Promise<void>((resolve) => subgraph.listen(0, "127.0.0.1", resolve));
  subgraphUrl = `http://127.0.0.1:${(subgraph.address() as AddressInfo).port}/subgraphs/boson`;

  const config = production.config;
  // The example stack file's addresses are not EIP-55 checksummed; viem wants them normalized.
  const admin = getAddress(config.seller.admin.toLowerCase());
  const official = await placeFixtureAt(config.protocol.diamond);
  // The seller admin is a smart account: give its address contract code (the fixture token's).
  const accountCode = (await fixture.publicClient.getCode({ address: fixture.token })) as Hex;
  await fixture.testClient.setCode({ address: admin, bytecode: accountCode });
  await createSellerWithId(official, BigInt(config.seller.id), {
    assistant: getAddress(String(production.outputs.assistantAddress)),
    admin,
    treasury: getAddress(config.seller.treasury.toLowerCase()),
  });
  for (let i = 0; i < 30; i++) await fixture.testClient.mine({ blocks: 1 });
});

afterAll(async () => {
  await new Promise((resolve) => subgraph?.close(resolve));
  await anvil?.stop();
});

describe("npm run review --rpc", () => {
  it("checks the diamond, the seller's roles, paused regions and subgraph lag on chain", async () => {
    const { report } = await review();
    expect(report?.mode).toBe("online");
    expect(report?.online).toMatchObject({
      rpcHost: new URL(anvil.rpcUrl).host,
      chainId: 137,
      pausedRegions: [],
      errors: [],
    });
    expect(report?.online?.diamond).toMatchObject({ address: production.config.protocol.diamond, hasCode: true });
    expect(report?.online?.subgraph).toMatchObject({ lagBlocks: 5 });
    // The admin is a contract on chain; who holds it is still for a person to sign.
    expect(item(report, "S2")).toMatchObject({ status: "needs-sign-off" });
    expect(
      item(report, "S2")
        .evidence.filter((e) => e.kind === "chain")
        .every((e) => e.ok),
    ).toBe(true);
    expect(
      item(report, "H1")
        .evidence.filter((e) => e.kind === "chain")
        .every((e) => e.ok),
    ).toBe(true);
    const m3 = item(report, "M3");
    expect(m3.status).toBe("needs-sign-off"); // the people behind the keys are still for a person to name
    expect(m3.evidence.find((e) => e.ref.endsWith(".assistant"))).toMatchObject({ ok: true });
    expect(report?.custody.seller.onChain).toMatchObject({
      assistant: production.outputs.assistantAddress,
      adminIsContract: true,
    });
  });

  it("fails S2 when the seller's admin is an EOA", async () => {
    const snapshot = await fixture.testClient.snapshot();
    await fixture.testClient.setCode({
      address: getAddress(production.config.seller.admin.toLowerCase()),
      bytecode: "0x",
    });
    const run = await review();
    await fixture.testClient.revert({ id: snapshot });
    expect(item(run.report, "S2")).toMatchObject({ status: "fail", blocking: true });
    expect(item(run.report, "S2").summary).toMatch(/an EOA/);
    expect(run.exitCode).toBe(1);
  });

  it("fails M3 when the seller's assistant is not the KMS-derived address", async () => {
    const snapshot = await fixture.testClient.snapshot();
    // A fresh diamond where seller 7's assistant is someone else.
    await fixture.testClient.setCode({ address: production.config.protocol.diamond, bytecode: "0x" });
    const official = await placeFixtureAt(production.config.protocol.diamond);
    for (let slot = 0n; slot < 64n; slot++)
      await fixture.testClient.setStorageAt({
        address: official.diamond,
        index: `0x${slot.toString(16).padStart(64, "0")}`,
        value: `0x${"0".repeat(64)}`,
      });
    await createSellerWithId(official, 7n, {
      assistant: "0x000000000000000000000000000000000000dEaD",
      admin: getAddress(production.config.seller.admin.toLowerCase()),
      treasury: getAddress(production.config.seller.treasury.toLowerCase()),
    });
    const run = await review();
    await fixture.testClient.revert({ id: snapshot });
    const m3 = item(run.report, "M3");
    expect(m3).toMatchObject({ status: "fail", blocking: true });
    expect(m3.summary).toMatch(/0x000000000000000000000000000000000000dEaD vs KMS-derived/);
  });

  it("reports a paused region and a lagging subgraph without blocking", async () => {
    const snapshot = await fixture.testClient.snapshot();
    await setPaused({ ...fixture, diamond: production.config.protocol.diamond }, [10], true);
    subgraphLag = 35;
    const run = await review();
    subgraphLag = 5;
    await fixture.testClient.revert({ id: snapshot });
    expect(run.report?.online?.pausedRegions).toEqual(["Funds"]);
    expect(item(run.report, "H2")).toMatchObject({ status: "fail", blocking: false });
    expect(item(run.report, "H2").summary).toMatch(/paused now: Funds/);
    expect(item(run.report, "O6")).toMatchObject({ status: "fail", blocking: false });
    expect(item(run.report, "O6").summary).toMatch(/35 blocks behind/);
  });

  it("fails H1 naming the function when the live diamond no longer serves a selector the jobs call", async () => {
    const before = await review();
    expect(item(before.report, "H1").evidence.find((e) => e.ref === "facetAddress(bytes4)")).toMatchObject({
      ok: true,
    });
    expect(before.report?.online?.selectors?.checked).toBeGreaterThanOrEqual(15);
    const snapshot = await fixture.testClient.snapshot();
    const official = { ...fixture, diamond: production.config.protocol.diamond };
    // As a diamond cut that removes withdrawFunds(uint256,address[],uint256[]) would leave it.
    await send(official, official.deployer, {
      address: official.diamond,
      abi: official.abi,
      functionName: "testOnly_removeSelector",
      args: [toFunctionSelector("withdrawFunds(uint256,address[],uint256[])")],
    });
    const run = await review();
    await fixture.testClient.revert({ id: snapshot });
    const h1 = item(run.report, "H1");
    expect(h1).toMatchObject({ status: "fail", blocking: true });
    expect(h1.summary).toMatch(/no facet serves withdrawFunds \(0x[0-9a-f]{8}\)/);
    expect(run.report?.online?.selectors?.unserved.map((fn) => fn.name)).toEqual(["withdrawFunds"]);
    expect(run.exitCode).toBe(1);
  });

  it("fails H1 when the RPC is another chain where the stack's diamond has no code", async () => {
    const run = await review("staging", false);
    const h1 = item(run.report, "H1");
    expect(h1).toMatchObject({ status: "fail", blocking: true });
    expect(h1.summary).toMatch(/eth_chainId: 137 \(config: 80002\)/);
    expect(h1.summary).toMatch(/has no code on this chain/);
    expect(run.report?.online?.subgraph).toBeUndefined();
  });

  it("exits 1 with the reason when the RPC does not answer", async () => {
    const run = await runReview(readStackFile("production"), {
      rpc: "http://127.0.0.1:9/",
      subgraphUrl: false,
      outDir: false,
    });
    expect(run.exitCode).toBe(1);
    expect(run.reason).toMatch(/online checks could not read the chain/);
  });
});
