import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeEventLog,
  parseEther,
  toEventSelector,
  toFunctionSelector,
  zeroAddress,
  type Abi,
  type AbiEvent,
  type AbiFunction,
} from "viem";
import { formatAbiItem } from "viem/utils";
import { privateKeyToAccount } from "viem/accounts";
import accountHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonAccountHandler.json";
import disputeHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonDisputeHandler.json";
import exchangeCommitHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonExchangeCommitHandler.json";
import exchangeHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonExchangeHandler.json";
import offerHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonOfferHandler.json";
import metaTransactionsHandlerJson from "@bosonprotocol/common/dist/cjs/abis/IBosonMetaTransactionsHandler.json";
import protocolDiamondJson from "@bosonprotocol/common/dist/cjs/abis/ProtocolDiamond.json";
import { abis } from "@bosonprotocol/common";
import {
  fundsHandlerAbi,
  mergedProtocolAbi,
  pauseHandlerAbi,
  protocolAbi,
  PausableRegion,
  ExchangeState,
} from "../../lambdas/shared/chain/protocol";

const officialAbis = {
  IBosonFundsHandler: fundsHandlerAbi,
  IBosonExchangeHandler: exchangeHandlerJson as unknown as Abi,
  IBosonExchangeCommitHandler: exchangeCommitHandlerJson as unknown as Abi,
  IBosonDisputeHandler: disputeHandlerJson as unknown as Abi,
  ProtocolDiamond: protocolDiamondJson as unknown as Abi,
};
import { diamondLoupeAbi } from "../../tools/review/online/chain-facts";
import { startAnvil, type Anvil } from "../harness/anvil";
import {
  anvilKeys,
  compileFixture,
  createOffer,
  createSeller,
  deployProtocolFixture,
  depositFunds,
  send,
  type FixtureDeployment,
} from "../harness/protocol-fixture";

const official: Abi = [
  ...Object.values(officialAbis).flat(),
  ...(accountHandlerJson as unknown as Abi),
  ...(offerHandlerJson as unknown as Abi),
  ...(metaTransactionsHandlerJson as unknown as Abi),
];

const signature = (item: AbiFunction | AbiEvent) => formatAbiItem(item);
/** Output types (tuples expanded) as one string. */
const formatAbiParameters = (parameters: AbiFunction["outputs"]) =>
  formatAbiItem({ type: "function", name: "outputs", inputs: parameters, outputs: [], stateMutability: "view" });
const functionsOf = (abi: Abi) => abi.filter((item): item is AbiFunction => item.type === "function");
const eventsOf = (abi: Abi) => abi.filter((item): item is AbiEvent => item.type === "event");
const errorSelectors = (abi: Abi) =>
  new Set(
    abi
      .filter((item) => item.type === "error")
      .map((item) => toFunctionSelector(formatAbiItem(item).replace(/^error /, "function "))),
  );

function officialFunction(selector: string): AbiFunction | undefined {
  return functionsOf(official).find((item) => toFunctionSelector(signature(item)) === selector);
}
function officialEvent(topic: string): AbiEvent | undefined {
  return eventsOf(official).find((item) => toEventSelector(signature(item)) === topic);
}

describe("protocol surface matches the pinned @bosonprotocol/common ABIs", () => {
  const fixture = compileFixture().BosonProtocolFixture.abi;
  // The pause handler and EIP-2535's loupe are not in @bosonprotocol/common; their signatures come from the protocol source.
  const pauseSelectors = new Set(
    [...functionsOf(pauseHandlerAbi), ...functionsOf(diamondLoupeAbi)].map((item) =>
      toFunctionSelector(signature(item)),
    ),
  );
  const pauseTopics = new Set(eventsOf(pauseHandlerAbi).map((item) => toEventSelector(signature(item))));

  it("the JSON files the Lambdas import are the ABIs the package index exports", () => {
    expect(officialAbis.IBosonFundsHandler).toEqual(abis.IBosonFundsHandlerABI);
    expect(officialAbis.IBosonExchangeHandler).toEqual(abis.IBosonExchangeHandlerABI);
    expect(officialAbis.IBosonDisputeHandler).toEqual(abis.IBosonDisputeHandlerABI);
    expect(officialAbis.ProtocolDiamond).toEqual(abis.ProtocolDiamondABI);
  });

  it("every fixture function (except test-only set-up) has the official selector, outputs and mutability", () => {
    const protocolFunctions = functionsOf(fixture).filter((item) => !item.name.startsWith("testOnly_"));
    expect(protocolFunctions.map((item) => item.name)).toEqual(
      expect.arrayContaining([
        "getAvailableFunds",
        "withdrawFunds",
        "depositFunds",
        "commitToOffer",
        "redeemVoucher",
        "completeExchange",
        "getExchange",
        "getOffer",
        "getSeller",
        "updateSeller",
        "optInToSellerUpdate",
        "raiseDispute",
        "retractDispute",
        "resolveDispute",
        "decideDispute",
        "getPausedRegions",
        "executeMetaTransaction",
        "isUsedNonce",
        "isFunctionAllowlisted",
        "completeExchangeBatch",
        "expireVoucher",
        "expireDispute",
        "expireDisputeBatch",
        "getDisputeTimeout",
        "extendDisputeTimeout",
      ]),
    );
    for (const item of protocolFunctions) {
      const selector = toFunctionSelector(signature(item));
      if (pauseSelectors.has(selector)) continue;
      const match = officialFunction(selector);
      expect(match, `${signature(item)} is not in the official ABIs`).toBeDefined();
      expect(formatAbiParameters(item.outputs), item.name).toBe(formatAbiParameters(match?.outputs ?? []));
      expect(item.stateMutability, item.name).toBe(match?.stateMutability);
    }
  });

  it("every fixture event has the official topic and indexed flags", () => {
    for (const item of eventsOf(fixture)) {
      const topic = toEventSelector(signature(item));
      if (pauseTopics.has(topic)) continue;
      const match = officialEvent(topic);
      expect(match, `${signature(item)} is not in the official ABIs`).toBeDefined();
      expect(
        item.inputs.map((input) => input.indexed ?? false),
        item.name,
      ).toEqual(match?.inputs.map((input) => input.indexed ?? false));
    }
    expect(eventsOf(fixture).map((item) => item.name)).toEqual(
      expect.arrayContaining([
        "DiamondCut",
        "DisputeRaised",
        "FundsWithdrawn",
        "BuyerCommitted",
        "SellerUpdatePending",
        "SellerUpdateApplied",
        "DisputeExpired",
        "DisputeTimeoutExtended",
        "VoucherExpired",
      ]),
    );
  });

  it("every fixture error is an official error selector", () => {
    const officialErrors = errorSelectors(official);
    for (const item of fixture.filter((entry) => entry.type === "error")) {
      const selector = toFunctionSelector(formatAbiItem(item).replace(/^error /, "function "));
      expect(officialErrors.has(selector), formatAbiItem(item)).toBe(true);
    }
  });

  it("the pause handler fragments match the fixture's (uint8 enum on the wire)", () => {
    const fixtureSelectors = new Set(functionsOf(fixture).map((item) => toFunctionSelector(signature(item))));
    for (const selector of pauseSelectors) expect(fixtureSelectors.has(selector)).toBe(true);
    const fixtureTopics = new Set(eventsOf(fixture).map((item) => toEventSelector(signature(item))));
    for (const topic of pauseTopics) expect(fixtureTopics.has(topic)).toBe(true);
  });

  it("the typed fragments the jobs call with are the official ones", () => {
    for (const item of functionsOf(protocolAbi)) {
      const match = officialFunction(toFunctionSelector(signature(item)));
      expect(match, signature(item)).toBeDefined();
      expect(formatAbiParameters(item.outputs)).toBe(formatAbiParameters(match?.outputs ?? []));
    }
    for (const item of eventsOf(protocolAbi)) {
      const match = officialEvent(toEventSelector(signature(item)));
      expect(match, signature(item)).toBeDefined();
      expect(item.inputs.map((input) => input.indexed ?? false)).toEqual(
        match?.inputs.map((input) => input.indexed ?? false),
      );
    }
  });

  it("the merged ABI has the protocol's custom errors once each", () => {
    const errors = mergedProtocolAbi.filter((item) => item.type === "error").map((item) => formatAbiItem(item));
    for (const expected of [
      "RegionPaused(uint8)",
      "NothingToWithdraw()",
      "NotAuthorized()",
      "InsufficientAvailableFunds()",
      "VoucherStillValid()",
      "DisputeStillValid()",
      "DisputeHasExpired()",
      "InvalidDisputeTimeout()",
    ]) {
      expect(errors).toContain(expected);
    }
    expect(new Set(errors).size).toBe(errors.length);
    // Every official handler's errors are in the merged ABI (the FundsHandler JSON carries all BosonErrors).
    for (const abi of Object.values(officialAbis)) {
      for (const selector of errorSelectors(abi)) expect(errorSelectors(mergedProtocolAbi).has(selector)).toBe(true);
    }
    expect(errorSelectors(mergedProtocolAbi).size).toBe(errorSelectors(official).size);
  });
});

describe("fixture behaviour on anvil", () => {
  let anvil: Anvil;
  let fixture: FixtureDeployment;
  beforeAll(async () => {
    anvil = await startAnvil();
    fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  it("runs the exchange state machine with official events and reverts with official errors", async () => {
    const assistant = privateKeyToAccount(anvilKeys[1]);
    const buyer = fixture.wallet(anvilKeys[2]);
    const seller = await createSeller(fixture, assistant.address, privateKeyToAccount(anvilKeys[3]).address);
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
    const offerId = await createOffer(fixture, seller.sellerId, {
      price: parseEther("0.1"),
      sellerDeposit: parseEther("0.05"),
    });

    const commit = await send(fixture, buyer, {
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "commitToOffer",
      args: [buyer.account.address, offerId],
      value: parseEther("0.1"),
    });
    const committed = commit.logs
      .map((log) => {
        try {
          return decodeEventLog({ abi: protocolAbi, data: log.data, topics: log.topics as [`0x${string}`] });
        } catch {
          return undefined;
        }
      })
      .find((event) => event?.eventName === "BuyerCommitted");
    expect(committed?.eventName).toBe("BuyerCommitted");
    const exchangeId = committed?.eventName === "BuyerCommitted" ? (committed.args?.exchangeId ?? 0n) : 0n;
    expect(exchangeId).toBeGreaterThan(0n);

    const available = await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "getAvailableFunds",
      args: [seller.sellerId, [zeroAddress]],
    });
    expect(available[0]?.availableAmount).toBe(parseEther("0.95"));

    await expect(
      fixture.publicClient.simulateContract({
        address: fixture.diamond,
        abi: mergedProtocolAbi,
        functionName: "raiseDispute",
        args: [exchangeId],
        account: buyer.account,
      }),
    ).rejects.toThrow(/InvalidState/);
    await send(fixture, buyer, {
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "redeemVoucher",
      args: [exchangeId],
    });
    await send(fixture, buyer, {
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "completeExchange",
      args: [exchangeId],
    });
    const [exists, exchange] = await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "getExchange",
      args: [exchangeId],
    });
    expect(exists).toBe(true);
    expect(exchange.state).toBe(ExchangeState.Completed);
    const after = await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: protocolAbi,
      functionName: "getAvailableFunds",
      args: [seller.sellerId, [zeroAddress]],
    });
    expect(after[0]?.availableAmount).toBe(parseEther("1.1"));

    await send(fixture, fixture.deployer, {
      address: fixture.diamond,
      abi: fixture.abi,
      functionName: "testOnly_pause",
      args: [[PausableRegion.Funds]],
    });
    const paused = await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: pauseHandlerAbi,
      functionName: "getPausedRegions",
    });
    expect(paused).toEqual([PausableRegion.Funds]);
    await expect(
      fixture.publicClient.simulateContract({
        address: fixture.diamond,
        abi: mergedProtocolAbi,
        functionName: "withdrawFunds",
        args: [seller.sellerId, [zeroAddress], [1n]],
        account: assistant,
      }),
    ).rejects.toThrow(/RegionPaused/);
  });
});
