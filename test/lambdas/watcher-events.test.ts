import { abis } from "@bosonprotocol/common";
import {
  encodeAbiParameters,
  encodeEventTopics,
  parseAbi,
  toEventSelector,
  type Abi,
  type AbiEvent,
  type AbiFunction,
  type Hex,
  type Log,
} from "viem";
import { describe, expect, it } from "vitest";
import { disputeViewsAbi } from "../../lambdas/watcher/dispute-deadlines";
import {
  decodeWatchedLog,
  getExchangeAbi,
  getOfferAbi,
  toJson,
  watchedEventsAbi,
  watchedTopics,
  webhookType,
} from "../../lambdas/watcher/events";

const official: Abi = [
  ...(abis.ProtocolDiamondABI as unknown as Abi),
  ...(abis.IBosonExchangeHandlerABI as unknown as Abi),
  ...(abis.IBosonDisputeHandlerABI as unknown as Abi),
  ...(abis.IBosonOfferHandlerABI as unknown as Abi),
  ...(abis.IBosonAccountHandlerABI as unknown as Abi),
];
const officialTopic = (name: string) => {
  const event = official.find((item): item is AbiEvent => item.type === "event" && item.name === name);
  if (!event) throw new Error(`no ${name} in the official ABIs`);
  return toEventSelector(event);
};

function log(topics: Hex[], data: Hex): Log<bigint, number, false> {
  return {
    address: "0x0000000000000000000000000000000000000001",
    blockHash: `0x${"ab".repeat(32)}`,
    blockNumber: 5n,
    data,
    logIndex: 3,
    transactionHash: `0x${"cd".repeat(32)}`,
    transactionIndex: 0,
    removed: false,
    topics: topics as [Hex, ...Hex[]],
  };
}

describe("watcher events (H3, B3, H4)", () => {
  it("filters on the topics of the official ABIs shipped by @bosonprotocol/common, one per watched event", () => {
    for (const name of [
      "DiamondCut",
      "DisputeRaised",
      "DisputeRetracted",
      "BuyerCommitted",
      "VoucherRedeemed",
      "ExchangeCompleted",
      "ProtocolFeeCollected",
      "DRFeeRequested",
      "OfferCreated",
      "SellerUpdatePending",
      "SellerUpdateApplied",
      "RoyaltyRecipientsChanged",
    ]) {
      expect(watchedTopics).toContain(officialTopic(name));
    }
    // ProtocolInitialized is not in those ABIs: the protocol source's signature.
    expect(watchedTopics).toContain(toEventSelector("event ProtocolInitialized(string version)"));
    expect(new Set(watchedTopics).size).toBe(watchedEventsAbi.length);
  });

  it("declares each watched event and view exactly as the official ABI does (names, types, indexed flags, struct layout)", () => {
    type Param = {
      name?: string | undefined;
      type: string;
      indexed?: boolean | undefined;
      components?: readonly Param[] | undefined;
    };
    const shape = (params: readonly Param[]): unknown =>
      params.map((param) => ({
        name: param.name ?? "",
        type: param.type,
        indexed: param.indexed ?? false,
        components: shape(param.components ?? []),
      }));
    for (const event of watchedEventsAbi) {
      if (event.name === "ProtocolInitialized") continue; // not in @bosonprotocol/common (checked above against the protocol source)
      const reference = official.find((item): item is AbiEvent => item.type === "event" && item.name === event.name);
      expect(reference, event.name).toBeDefined();
      expect(shape(event.inputs), event.name).toEqual(shape(reference?.inputs ?? []));
    }
    for (const view of [...getOfferAbi, ...getExchangeAbi, ...disputeViewsAbi].filter(
      (item) => item.type === "function",
    )) {
      const reference = official.find(
        (item): item is AbiFunction => item.type === "function" && item.name === view.name,
      );
      expect(shape(view.inputs), view.name).toEqual(shape(reference?.inputs ?? []));
      expect(shape(view.outputs), view.name).toEqual(shape(reference?.outputs ?? []));
    }
  });

  it("decodes a DisputeRaised log and leaves out logs of events it does not watch", () => {
    const [disputeRaised] = parseAbi([
      "event DisputeRaised(uint256 indexed exchangeId, uint256 indexed buyerId, uint256 indexed sellerId, address executedBy)",
    ]);
    const topics = encodeEventTopics({
      abi: [disputeRaised],
      eventName: "DisputeRaised",
      args: { exchangeId: 9n, buyerId: 4n, sellerId: 2n },
    });
    const decoded = decodeWatchedLog(
      log(topics as Hex[], encodeAbiParameters([{ type: "address" }], ["0x00000000000000000000000000000000000000aa"])),
    );
    expect(decoded?.eventName).toBe("DisputeRaised");
    expect(decoded?.args).toMatchObject({ exchangeId: 9n, buyerId: 4n, sellerId: 2n });

    const [paused] = parseAbi(["event ProtocolPaused(uint8[] regions, address executedBy)"]);
    const other = encodeEventTopics({ abi: [paused], eventName: "ProtocolPaused" });
    expect(decodeWatchedLog(log(other as Hex[], "0x"))).toBeUndefined();
    // A watched topic with data that does not decode (truncated) is not an event either.
    expect(decodeWatchedLog(log([topics[0] as Hex], "0x"))).toBeUndefined();
  });

  it("turns event arguments into JSON and names webhook types", () => {
    expect(toJson({ a: 1n, b: [2n, { c: true }], d: "0x01", e: undefined })).toEqual({
      a: "1",
      b: ["2", { c: true }],
      d: "0x01",
      e: null,
    });
    expect(webhookType("VoucherRedeemed")).toBe("boson.voucher_redeemed");
    expect(webhookType("DRFeeRequested")).toBe("boson.dr_fee_requested");
  });
});
