import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeEventLog,
  parseEther,
  toEventSelector,
  toFunctionSelector,
  zeroAddress,
  type Abi,
  type Address,
} from "viem";
import { formatAbiItem } from "viem/utils";
import { privateKeyToAccount } from "viem/accounts";
import accountHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonAccountHandler.json";
import { abis } from "@bosonprotocol/common";
import { startAnvil, type Anvil } from "../harness/anvil";
import {
  anvilKeys,
  compileFixture,
  createSeller,
  deployProtocolFixture,
  depositFunds,
  fund,
  send,
  type FixtureDeployment,
} from "../harness/protocol-fixture";

/** The official AccountHandler ABI: the oracle for the seller-update flow (calls, decoding, errors). */
const accountHandler = accountHandlerJson as unknown as Abi;
const SellerUpdateFields = { Admin: 0, Assistant: 1, Clerk: 2, AuthToken: 3 } as const;
const noAuthToken = { tokenId: 0n, tokenType: 0 } as const;

const selectorOf = (abi: Abi, kind: "function" | "event" | "error", name: string): string => {
  const item = abi.find((entry) => entry.type === kind && "name" in entry && entry.name === name);
  if (!item) throw new Error(`${kind} ${name} missing`);
  const text = formatAbiItem(item);
  return kind === "event" ? toEventSelector(text) : toFunctionSelector(text.replace(/^error /, "function "));
};

describe("seller-update surface of the fixture equals the official AccountHandler", () => {
  const fixture = compileFixture().BosonProtocolFixture.abi;

  it("uses the ABI the package index exports", () => {
    expect(accountHandler).toEqual(abis.IBosonAccountHandlerABI);
  });

  it.each([
    ["function", "updateSeller"],
    ["function", "optInToSellerUpdate"],
    ["function", "getSeller"],
    ["event", "SellerUpdatePending"],
    ["event", "SellerUpdateApplied"],
    ["error", "AdminOrAuthToken"],
    ["error", "ClerkDeprecated"],
    ["error", "InvalidAuthTokenType"],
    ["error", "NotAdmin"],
    ["error", "InvalidAddress"],
    ["error", "SellerAddressMustBeUnique"],
    ["error", "NoUpdateApplied"],
    ["error", "NoPendingUpdateForAccount"],
    ["error", "UnauthorizedCallerUpdate"],
  ] as const)("%s %s has the official selector", (kind, name) => {
    expect(selectorOf(fixture, kind, name)).toBe(selectorOf(accountHandler, kind, name));
  });
});

describe("seller update on anvil: the admin asks, the new assistant opts in", () => {
  let anvil: Anvil;
  let fixture: FixtureDeployment;
  const oldAssistant = privateKeyToAccount(anvilKeys[1]);
  const newAssistant = privateKeyToAccount(anvilKeys[2]);
  const treasury = privateKeyToAccount(anvilKeys[3]).address;
  let sellerId: bigint;

  beforeAll(async () => {
    anvil = await startAnvil();
    fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
    ({ sellerId } = await createSeller(fixture, oldAssistant.address, treasury));
    await depositFunds(fixture, sellerId, zeroAddress, parseEther("1"));
    await fund(fixture, newAssistant.address, parseEther("1"));
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  const readSeller = async () => {
    const [exists, seller] = (await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: accountHandler,
      functionName: "getSeller",
      args: [sellerId],
    })) as [
      boolean,
      {
        assistant: Address;
        admin: Address;
        treasury: Address;
        metadataUri: string;
        id: bigint;
        clerk: Address;
        active: boolean;
      },
    ];
    expect(exists).toBe(true);
    return seller;
  };
  const decoded = (logs: readonly { topics: readonly `0x${string}`[]; data: `0x${string}` }[]) =>
    logs.map((log) => decodeEventLog({ abi: accountHandler, data: log.data, topics: log.topics as [`0x${string}`] }));
  const rejects = (
    account: ReturnType<typeof privateKeyToAccount> | Address,
    functionName: string,
    args: readonly unknown[],
  ) =>
    fixture.publicClient.simulateContract({
      address: fixture.diamond,
      abi: accountHandler,
      functionName,
      args,
      account,
    });

  it("refuses callers and requests the official way", async () => {
    const seller = await readSeller();
    await expect(
      rejects(oldAssistant, "updateSeller", [{ ...seller, assistant: newAssistant.address }, noAuthToken]),
    ).rejects.toThrow(/NotAdmin/);
    await expect(rejects(fixture.deployer.account.address, "updateSeller", [seller, noAuthToken])).rejects.toThrow(
      /NoUpdateApplied/,
    );
    await expect(
      rejects(fixture.deployer.account.address, "updateSeller", [{ ...seller, admin: zeroAddress }, noAuthToken]),
    ).rejects.toThrow(/AdminOrAuthToken/);
    await expect(
      rejects(fixture.deployer.account.address, "updateSeller", [
        { ...seller, clerk: newAssistant.address },
        noAuthToken,
      ]),
    ).rejects.toThrow(/ClerkDeprecated/);
    await expect(
      rejects(newAssistant, "optInToSellerUpdate", [sellerId, [SellerUpdateFields.Assistant]]),
    ).rejects.toThrow(/NoPendingUpdateForAccount/);
  });

  it("keeps the assistant until the new address opts in, then only the new one withdraws", async () => {
    const seller = await readSeller();
    const request = await send(fixture, fixture.deployer, {
      address: fixture.diamond,
      abi: accountHandler,
      functionName: "updateSeller",
      args: [{ ...seller, assistant: newAssistant.address }, noAuthToken],
    });
    const pending = decoded(request.logs);
    expect(pending.map((event) => event.eventName)).toEqual(["SellerUpdatePending"]);
    expect(pending[0]?.args).toMatchObject({
      sellerId,
      pendingSeller: { assistant: newAssistant.address, admin: zeroAddress },
      executedBy: fixture.deployer.account.address,
    });
    expect((await readSeller()).assistant).toBe(oldAssistant.address);

    await expect(
      rejects(oldAssistant, "optInToSellerUpdate", [sellerId, [SellerUpdateFields.Assistant]]),
    ).rejects.toThrow(/UnauthorizedCallerUpdate/);
    await expect(rejects(newAssistant, "optInToSellerUpdate", [sellerId, [SellerUpdateFields.Clerk]])).rejects.toThrow(
      /ClerkDeprecated/,
    );
    // Still pending: only the old assistant can withdraw.
    const withdrawAs = (account: ReturnType<typeof privateKeyToAccount>) =>
      fixture.publicClient.simulateContract({
        address: fixture.diamond,
        abi: fixture.abi,
        functionName: "withdrawFunds",
        args: [sellerId, [zeroAddress], [1n]],
        account,
      });
    await expect(withdrawAs(oldAssistant)).resolves.toBeDefined();
    await expect(withdrawAs(newAssistant)).rejects.toThrow(/NotAssistant/);

    const optIn = await send(fixture, fixture.wallet(anvilKeys[2]), {
      address: fixture.diamond,
      abi: accountHandler,
      functionName: "optInToSellerUpdate",
      args: [sellerId, [SellerUpdateFields.Assistant]],
    });
    const applied = decoded(optIn.logs);
    expect(applied.map((event) => event.eventName)).toEqual(["SellerUpdateApplied"]);
    expect(applied[0]?.args).toMatchObject({
      sellerId,
      seller: { assistant: newAssistant.address },
      pendingSeller: { assistant: zeroAddress },
      executedBy: newAssistant.address,
    });
    expect((await readSeller()).assistant).toBe(newAssistant.address);
    await expect(withdrawAs(newAssistant)).resolves.toBeDefined();
    await expect(withdrawAs(oldAssistant)).rejects.toThrow(/NotAssistant/);
    await expect(
      rejects(newAssistant, "optInToSellerUpdate", [sellerId, [SellerUpdateFields.Assistant]]),
    ).rejects.toThrow(/NoPendingUpdateForAccount/);
  });

  it("applies treasury at once and refuses an address another seller uses", async () => {
    const other = await createSeller(fixture, privateKeyToAccount(anvilKeys[4]).address, treasury);
    const seller = await readSeller();
    await expect(
      rejects(fixture.deployer.account.address, "updateSeller", [
        { ...seller, assistant: other.assistant },
        noAuthToken,
      ]),
    ).rejects.toThrow(/SellerAddressMustBeUnique/);
    await expect(
      rejects(fixture.deployer.account.address, "updateSeller", [{ ...seller, treasury: zeroAddress }, noAuthToken]),
    ).rejects.toThrow(/InvalidAddress/);
    const newTreasury = privateKeyToAccount(anvilKeys[1]).address;
    const result = await send(fixture, fixture.deployer, {
      address: fixture.diamond,
      abi: accountHandler,
      functionName: "updateSeller",
      args: [{ ...seller, treasury: newTreasury }, noAuthToken],
    });
    expect(decoded(result.logs).map((event) => event.eventName)).toEqual(["SellerUpdateApplied"]);
    expect((await readSeller()).treasury).toBe(newTreasury);
  });
});
