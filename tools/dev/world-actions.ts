/**
 * What a scenario does to the world: a buyer's protocol calls, the protocol
 * owner's (pause, diamond cut), and the operator's environment (the signer's
 * balance, the subgraph's lag, the webhook endpoint).
 */
import { parseEther, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { send, setPaused } from "../../test/harness/protocol-fixture";
import type { World } from "./world";

/** PausableRegion in the Boson contracts (BosonTypes.sol): Exchanges = 8, Disputes = 9, Funds = 10. */
export const pausableRegion = { exchanges: 8, disputes: 9, funds: 10 } as const;

export function worldActions(world: World) {
  const { fixture } = world.peers;
  const buyer = fixture.wallet(world.peers.buyerKey);
  const buyerCall = (functionName: string, args: readonly unknown[], value?: bigint) =>
    send(fixture, buyer, {
      address: fixture.diamond,
      abi: fixture.abi,
      functionName,
      args,
      ...(value === undefined ? {} : { value }),
    });
  return {
    /** The buyer commits to the funded offer; returns the exchange id. */
    commit: async (): Promise<bigint> => {
      const exchangeId = (await fixture.publicClient.readContract({
        address: fixture.diamond,
        abi: fixture.abi,
        functionName: "getNextExchangeId",
      })) as bigint;
      await buyerCall("commitToOffer", [buyer.account.address, world.peers.offerId], parseEther("0.01"));
      return exchangeId;
    },
    redeem: (exchangeId: bigint) => buyerCall("redeemVoucher", [exchangeId]),
    complete: (exchangeId: bigint) => buyerCall("completeExchange", [exchangeId]),
    raiseDispute: (exchangeId: bigint) => buyerCall("raiseDispute", [exchangeId]),
    pause: (regions: readonly number[], paused: boolean) => setPaused(fixture, regions, paused),
    diamondCut: () => {
      const facet = privateKeyToAccount(world.peers.buyerKey).address;
      return send(fixture, fixture.deployer, {
        address: fixture.diamond,
        abi: fixture.abi,
        functionName: "testOnly_emitDiamondCut",
        args: [[{ facetAddress: facet, action: 0, functionSelectors: ["0x12345678"] }], facet, "0x"],
      });
    },
    setSignerBalance: (wei: bigint) =>
      fixture.testClient.setBalance({ address: world.peers.signer as Address, value: wei }),
    mine: (blocks: number) => fixture.testClient.mine({ blocks }),
  };
}

export type WorldActions = ReturnType<typeof worldActions>;
