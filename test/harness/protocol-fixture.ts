/**
 * Compiles the Solidity fixture of the Boson protocol surface
 * (`test/fixtures/protocol/*.sol`) with solc (npm, in-process) and deploys it
 * on a local chain. The compiled output is committed
 * (`test/fixtures/protocol-build.json`, rebuilt by
 * `npx tsx test/harness/write-fixture-build.ts`), so starting a chain with the
 * fixture needs no compiler; a test proves the artifact is what solc makes of
 * the sources, and edited sources are compiled (and cached, see ./solc).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  parseEther,
  zeroAddress,
  type Abi,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TestClient,
  type WalletClient,
  type Account,
  type Transport,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { KMSClient } from "@aws-sdk/client-kms";
import { kmsAccount, type KmsAccount } from "../../lambdas/shared/kms-account/account";
import type { RetryPolicy } from "../../lambdas/shared/runtime/retry";
import { compileSolidity, type CompiledContract, type SolidityBuild } from "./solc";

export const fixtureSourceDir = join(__dirname, "..", "fixtures", "protocol");

export type { CompiledContract };
export type CompiledFixture = Record<"BosonProtocolFixture" | "FixtureToken", CompiledContract>;

/** How the fixture is built: its sources, the contracts taken, and its committed artifact. */
export function fixtureBuild(): SolidityBuild<keyof CompiledFixture> & { artifact: string } {
  return {
    root: fixtureSourceDir,
    files: readdirSync(fixtureSourceDir)
      .filter((name) => name.endsWith(".sol"))
      .sort(),
    pick: { BosonProtocolFixture: "BosonProtocolFixture.sol", FixtureToken: "FixtureToken.sol" },
    cacheName: "boson-kit-fixture",
    failure: "fixture does not compile",
    artifact: join(fixtureSourceDir, "..", "protocol-build.json"),
  };
}

let compiled: CompiledFixture | undefined;

/** The fixture contracts: from the committed artifact when it matches the sources, else compiled. */
export function compileFixture(): CompiledFixture {
  compiled ??= compileSolidity(fixtureBuild());
  return compiled;
}

/** anvil's default funded accounts (the well-known test mnemonic); fixtures and funding only. */
export const anvilKeys = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
] as const satisfies readonly Hex[];

export type FixtureDeployment = {
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  testClient: TestClient<"anvil", Transport, Chain>;
  /** Deployer and general set-up account (anvil #0). */
  deployer: WalletClient<Transport, Chain, Account>;
  /** A wallet for any anvil key. */
  wallet(key: Hex): WalletClient<Transport, Chain, Account>;
  diamond: Address;
  token: Address;
  abi: Abi;
  tokenAbi: Abi;
  disputeResolver: Address;
  deployBlock: bigint;
};

export type SellerSetup = { sellerId: bigint; assistant: Address; treasury: Address };

async function deploy(
  wallet: WalletClient<Transport, Chain, Account>,
  publicClient: PublicClient<Transport, Chain>,
  contract: CompiledContract,
  args: readonly unknown[],
): Promise<{ address: Address; blockNumber: bigint }> {
  const hash = await wallet.deployContract({ abi: contract.abi, bytecode: contract.bytecode, args });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error("deployment produced no contract");
  return { address: receipt.contractAddress, blockNumber: receipt.blockNumber };
}

/** Deploys the protocol fixture and an ERC20 on the chain behind `rpcUrl`. */
export async function deployProtocolFixture(chain: Chain, rpcUrl: string): Promise<FixtureDeployment> {
  const contracts = compileFixture();
  const transport = http(rpcUrl);
  // cacheTime 0: tests mine blocks and read the head back at once; viem would otherwise serve a cached head.
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50, cacheTime: 0 });
  const testClient = createTestClient({ chain, transport, mode: "anvil" });
  const wallet = (key: Hex) => createWalletClient({ chain, transport, account: privateKeyToAccount(key) });
  const deployer = wallet(anvilKeys[0]);
  const disputeResolver = privateKeyToAccount(anvilKeys[4]).address;
  const diamond = await deploy(deployer, publicClient, contracts.BosonProtocolFixture, [disputeResolver]);
  const token = await deploy(deployer, publicClient, contracts.FixtureToken, ["Fixture USD", "FUSD"]);
  return {
    chain,
    publicClient,
    testClient,
    deployer,
    wallet,
    diamond: diamond.address,
    token: token.address,
    abi: contracts.BosonProtocolFixture.abi,
    tokenAbi: contracts.FixtureToken.abi,
    disputeResolver,
    deployBlock: diamond.blockNumber,
  };
}

/** Sends a set-up transaction from `wallet` and waits for it; throws on revert. */
export async function send(
  fixture: FixtureDeployment,
  wallet: WalletClient<Transport, Chain, Account>,
  call: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[]; value?: bigint },
): Promise<{ hash: Hex; blockNumber: bigint; logs: readonly { topics: readonly Hex[]; data: Hex }[] }> {
  const { request } = await fixture.publicClient.simulateContract({ ...call, account: wallet.account });
  const hash = await wallet.writeContract(request);
  const receipt = await fixture.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${call.functionName} reverted`);
  return { hash, blockNumber: receipt.blockNumber, logs: receipt.logs };
}

/** Creates a seller whose assistant is `assistant` (e.g. the KMS address) and treasury `treasury`. */
export async function createSeller(
  fixture: FixtureDeployment,
  assistant: Address,
  treasury: Address,
): Promise<SellerSetup> {
  const before = await nextAccountIdProbe(fixture);
  await send(fixture, fixture.deployer, {
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "testOnly_createSeller",
    args: [assistant, fixture.deployer.account.address, treasury],
  });
  return { sellerId: before, assistant, treasury };
}

/** The id the next account will get: simulated through the set-up function itself. */
async function nextAccountIdProbe(fixture: FixtureDeployment): Promise<bigint> {
  const { result } = await fixture.publicClient.simulateContract({
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "testOnly_createSeller",
    args: [zeroAddress, zeroAddress, zeroAddress],
    account: fixture.deployer.account,
  });
  return result as bigint;
}

/** Deposits seller funds: native (value) or the fixture token (minted and approved first). */
export async function depositFunds(
  fixture: FixtureDeployment,
  sellerId: bigint,
  token: Address,
  amount: bigint,
): Promise<void> {
  if (token === zeroAddress) {
    await send(fixture, fixture.deployer, {
      address: fixture.diamond,
      abi: fixture.abi,
      functionName: "depositFunds",
      args: [sellerId, token, amount],
      value: amount,
    });
    return;
  }
  await send(fixture, fixture.deployer, {
    address: token,
    abi: fixture.tokenAbi,
    functionName: "testOnly_mint",
    args: [fixture.deployer.account.address, amount],
  });
  await send(fixture, fixture.deployer, {
    address: token,
    abi: fixture.tokenAbi,
    functionName: "approve",
    args: [fixture.diamond, amount],
  });
  await send(fixture, fixture.deployer, {
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "depositFunds",
    args: [sellerId, token, amount],
  });
}

/** Creates an offer in the native coin and returns its id. */
export async function createOffer(
  fixture: FixtureDeployment,
  sellerId: bigint,
  options: {
    price?: bigint;
    sellerDeposit?: bigint;
    quantity?: bigint;
    disputePeriodSeconds?: bigint;
    exchangeToken?: Address;
  } = {},
): Promise<bigint> {
  const args = [
    sellerId,
    options.exchangeToken ?? zeroAddress,
    options.price ?? parseEther("0.01"),
    options.sellerDeposit ?? 0n,
    options.quantity ?? 100n,
    options.disputePeriodSeconds ?? 86_400n,
  ] as const;
  const { result } = await fixture.publicClient.simulateContract({
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "testOnly_createOffer",
    args,
    account: fixture.deployer.account,
  });
  await send(fixture, fixture.deployer, {
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "testOnly_createOffer",
    args,
  });
  return result as bigint;
}

/**
 * `wallet` commits to `offerId` for `buyer` (the wallet's own address by default), paying `price`;
 * returns the exchange id the protocol assigned and the transaction hash.
 */
export async function commitToOffer(
  fixture: FixtureDeployment,
  wallet: WalletClient<Transport, Chain, Account>,
  offerId: bigint,
  options: { price: bigint; buyer?: Address },
): Promise<{ exchangeId: bigint; hash: Hex }> {
  const exchangeId = (await fixture.publicClient.readContract({
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "getNextExchangeId",
  })) as bigint;
  const { hash } = await send(fixture, wallet, {
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: "commitToOffer",
    args: [options.buyer ?? wallet.account.address, offerId],
    value: options.price,
  });
  return { exchangeId, hash };
}

/** Pauses (or unpauses) protocol regions by their enum value. */
export async function setPaused(
  fixture: FixtureDeployment,
  regions: readonly number[],
  paused: boolean,
): Promise<void> {
  await send(fixture, fixture.deployer, {
    address: fixture.diamond,
    abi: fixture.abi,
    functionName: paused ? "testOnly_pause" : "testOnly_unpause",
    args: [regions],
  });
}

/** Sends native coin from anvil #0 (e.g. to fund the KMS address). */
export async function fund(fixture: FixtureDeployment, to: Address, value: bigint = parseEther("10")): Promise<void> {
  const hash = await fixture.deployer.sendTransaction({ to, value });
  await fixture.publicClient.waitForTransactionReceipt({ hash });
}

/** A KMS-backed assistant for the jobs: a key on the local KMS endpoint, funded on anvil, and a seller whose assistant it is. */
export async function createKmsSeller(
  fixture: FixtureDeployment,
  kms: { createKey(): { keyId: string }; client(): KMSClient },
  options: { retry?: Partial<RetryPolicy> } = {},
): Promise<{ keyId: string; account: KmsAccount; seller: SellerSetup }> {
  const { keyId } = kms.createKey();
  const account = await kmsAccount({ keyId, client: kms.client(), ...(options.retry ? { retry: options.retry } : {}) });
  await fund(fixture, account.address);
  const treasury = privateKeyToAccount(anvilKeys[3]).address;
  const seller = await createSeller(fixture, account.address, treasury);
  return { keyId, account, seller };
}
