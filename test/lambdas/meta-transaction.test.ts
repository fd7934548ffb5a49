/**
 * The oracle for the kit's meta-transactions: @bosonprotocol/core-sdk (a
 * devDependency, never bundled). Its signMetaTx* functions sign through the
 * adapter's `eth_signTypedData_v4`; a recording adapter keeps the typed data
 * they ask to sign, and the test compares EIP-712 digests with the kit's for
 * the same call (KMS signatures are not deterministic, digests are). Then the
 * protocol fixture: its type hashes against those recomputed from
 * core-sdk's types, and a core-sdk-signed meta-transaction executed by it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  hashTypedData,
  keccak256,
  parseEther,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
  type TypedDataDefinition,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Web3LibAdapter } from "@bosonprotocol/common";
import * as coreSdk from "@bosonprotocol/core-sdk/dist/cjs/meta-tx/handler";
import { bosonDisputeHandlerIface } from "@bosonprotocol/core-sdk/dist/cjs/disputes/interface";
import {
  buildMetaTransaction,
  metaTransactionsAbi,
  metaTransactionTypedData,
  type MetaTransactionCall,
} from "../../lambdas/shared/chain/meta-transaction";
import { startAnvil, type Anvil } from "../harness/anvil";
import {
  anvilKeys,
  createOffer,
  createSeller,
  deployProtocolFixture,
  depositFunds,
  send,
  type FixtureDeployment,
} from "../harness/protocol-fixture";

type CoreTypedData = {
  types: Record<string, { name: string; type: string }[]>;
  domain: Record<string, unknown>;
  primaryType: string;
  message: Record<string, unknown>;
};

const signer = privateKeyToAccount(anvilKeys[2]);
const diamond: Address = "0x1111111111111111111111111111111111111111";
const chainId = 80002;

/** A core-sdk Web3LibAdapter that records what it is asked to sign and signs it with `account`. */
function recordingAdapter(account = signer) {
  const recorded: CoreTypedData[] = [];
  const adapter = {
    getSignerAddress: () => Promise.resolve(account.address),
    getChainId: () => Promise.resolve(chainId),
    send: async (method: string, params: unknown[]) => {
      if (method !== "eth_signTypedData_v4") throw new Error(`unexpected ${method}`);
      const typed = JSON.parse(params[1] as string) as CoreTypedData;
      recorded.push(typed);
      return account.signTypedData(typed as unknown as TypedDataDefinition);
    },
  };
  // core-sdk's adapter interface is wide (reads, sends); signMetaTx* only calls these three.
  return { adapter: adapter as unknown as Web3LibAdapter, recorded };
}

const counterpartySig = `0x${"12".repeat(65)}` as Hex;
const token: Address = "0x2222222222222222222222222222222222222222";

/** Each call the jobs make as a meta-transaction, with core-sdk's signer for it. */
const cases: { call: MetaTransactionCall; core: (base: coreSdk.BaseMetaTxArgs) => Promise<coreSdk.SignedMetaTx> }[] = [
  {
    call: { functionName: "withdrawFunds", args: [7n, [zeroAddress, token], [1000n, 5n]] },
    core: (base) =>
      coreSdk.signMetaTxWithdrawFunds({
        ...base,
        entityId: 7,
        tokenList: [zeroAddress, token],
        tokenAmounts: [1000, 5],
      }),
  },
  {
    call: { functionName: "commitToOffer", args: [signer.address, 42n] },
    core: (base) => coreSdk.signMetaTxCommitToOffer({ ...base, offerId: 42 }),
  },
  {
    call: { functionName: "redeemVoucher", args: [9n] },
    core: (base) => coreSdk.signMetaTxRedeemVoucher({ ...base, exchangeId: 9 }),
  },
  {
    call: { functionName: "raiseDispute", args: [9n] },
    core: (base) => coreSdk.signMetaTxRaiseDispute({ ...base, exchangeId: 9 }),
  },
  {
    call: { functionName: "completeExchange", args: [9n] },
    core: (base) => coreSdk.signMetaTxCompleteExchange({ ...base, exchangeId: 9 }),
  },
  {
    call: { functionName: "resolveDispute", args: [9n, 5000n, counterpartySig] },
    core: (base) => coreSdk.signMetaTxResolveDispute({ ...base, exchangeId: 9, buyerPercent: 5000, counterpartySig }),
  },
  // The withdraw run's escrow release: generic MetaTransaction structs.
  {
    call: { functionName: "completeExchangeBatch", args: [[9n, 10n]] },
    core: (base) => coreSdk.signMetaTxCompleteExchangeBatch({ ...base, exchangeIds: [9, 10] }),
  },
  {
    call: { functionName: "expireVoucher", args: [9n] },
    core: (base) => coreSdk.signMetaTxExpireVoucher({ ...base, exchangeId: 9 }),
  },
  {
    // core-sdk has no signer of its own for it: its generic one, with core-sdk's encoding of the call.
    call: { functionName: "expireDisputeBatch", args: [[9n, 10n]] },
    core: (base) =>
      coreSdk.signMetaTx({
        ...base,
        functionName: "expireDisputeBatch(uint256[])",
        functionSignature: bosonDisputeHandlerIface.encodeFunctionData("expireDisputeBatch", [[9, 10]]),
      }),
  },
  {
    call: { functionName: "depositFunds", args: [7n, token, 10n] },
    core: (base) => coreSdk.signMetaTxDepositFunds({ ...base, entityId: 7, fundsTokenAddress: token, fundsAmount: 10 }),
  },
];

describe("the kit's meta-transaction typed data equals core-sdk's", () => {
  it.each(cases.map((entry) => [entry.call.functionName, entry] as const))(
    "%s: same EIP-712 digest, function name and calldata",
    async (_name, entry) => {
      const nonce = 123456789n;
      const { adapter, recorded } = recordingAdapter();
      const signed = await entry.core({
        web3Lib: adapter,
        nonce: nonce.toString(),
        metaTxHandlerAddress: diamond,
        chainId,
      });
      expect(recorded).toHaveLength(1);
      const coreTyped = recorded[0] as CoreTypedData;
      const metaTx = buildMetaTransaction({ from: signer.address, nonce, call: entry.call });
      const kitTyped = metaTransactionTypedData({ diamond, chainId, metaTx, call: entry.call });
      expect(kitTyped.primaryType).toBe(coreTyped.primaryType);
      expect(hashTypedData(kitTyped as TypedDataDefinition)).toBe(
        hashTypedData(coreTyped as unknown as TypedDataDefinition),
      );
      expect(metaTx.functionName).toBe(signed.functionName);
      expect(metaTx.functionSignature).toBe(signed.functionSignature);
    },
  );

  it("a different nonce or call changes the digest (the comparison can fail)", async () => {
    const { adapter, recorded } = recordingAdapter();
    await coreSdk.signMetaTxRedeemVoucher({
      web3Lib: adapter,
      nonce: "1",
      metaTxHandlerAddress: diamond,
      chainId,
      exchangeId: 9,
    });
    const call: MetaTransactionCall = { functionName: "redeemVoucher", args: [10n] };
    const kitTyped = metaTransactionTypedData({
      diamond,
      chainId,
      metaTx: buildMetaTransaction({ from: signer.address, nonce: 1n, call }),
      call,
    });
    expect(hashTypedData(kitTyped as TypedDataDefinition)).not.toBe(
      hashTypedData(recorded[0] as unknown as TypedDataDefinition),
    );
  });
});

/** EIP-712 encodeType, from a typed data's own types (the primary type, then the types it references, sorted). */
function encodeType(types: CoreTypedData["types"], primaryType: string): string {
  const referenced = new Set<string>();
  const visit = (name: string) => {
    for (const field of types[name] ?? []) {
      const base = field.type.replace(/\[\]$/, "");
      if (types[base] && !referenced.has(base) && base !== primaryType) {
        referenced.add(base);
        visit(base);
      }
    }
  };
  visit(primaryType);
  const one = (name: string) =>
    `${name}(${(types[name] ?? []).map((field) => `${field.type} ${field.name}`).join(",")})`;
  return [primaryType, ...[...referenced].sort()].map(one).join("");
}

describe("the protocol fixture's executeMetaTransaction", () => {
  let anvil: Anvil;
  let fixture: FixtureDeployment;
  beforeAll(async () => {
    anvil = await startAnvil();
    fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  it("its type hashes are the ones recomputed from core-sdk's typed data", async () => {
    const typeHashes = new Map<string, Hex>();
    for (const entry of cases) {
      const { adapter, recorded } = recordingAdapter();
      await entry.core({ web3Lib: adapter, nonce: "1", metaTxHandlerAddress: diamond, chainId });
      const typed = recorded[0] as CoreTypedData;
      typeHashes.set(typed.primaryType, keccak256(toHex(encodeType(typed.types, typed.primaryType))));
    }
    const onChain = (await fixture.publicClient.readContract({
      address: fixture.diamond,
      abi: fixture.abi,
      functionName: "testOnly_metaTxTypeHashes",
    })) as readonly Hex[];
    expect(onChain).toEqual(
      ["MetaTransaction", "MetaTxCommitToOffer", "MetaTxExchange", "MetaTxFund", "MetaTxDisputeResolution"].map(
        (name) => typeHashes.get(name),
      ),
    );
  });

  it("executes a core-sdk-signed meta-transaction as the user, sent by a relayer, once", async () => {
    const assistant = privateKeyToAccount(anvilKeys[2]);
    const treasury = privateKeyToAccount(anvilKeys[3]).address;
    const seller = await createSeller(fixture, assistant.address, treasury);
    await depositFunds(fixture, seller.sellerId, zeroAddress, parseEther("1"));
    await createOffer(fixture, seller.sellerId);
    const { adapter } = recordingAdapter(assistant);
    const nonce = 77n;
    const signed = await coreSdk.signMetaTxWithdrawFunds({
      web3Lib: adapter,
      nonce: nonce.toString(),
      metaTxHandlerAddress: fixture.diamond,
      chainId: fixture.chain.id,
      entityId: seller.sellerId.toString(),
      tokenList: [zeroAddress],
      tokenAmounts: [parseEther("0.1").toString()],
    });
    const signature = `${signed.r}${signed.s.slice(2)}${signed.v.toString(16)}` as Hex;
    const relayer = fixture.wallet(anvilKeys[1]);
    const before = await fixture.publicClient.getBalance({ address: treasury });
    const args = [assistant.address, signed.functionName, signed.functionSignature as Hex, nonce, signature] as const;
    await send(fixture, relayer, {
      address: fixture.diamond,
      abi: metaTransactionsAbi,
      functionName: "executeMetaTransaction",
      args,
    });
    expect((await fixture.publicClient.getBalance({ address: treasury })) - before).toBe(parseEther("0.1"));
    expect(
      await fixture.publicClient.readContract({
        address: fixture.diamond,
        abi: metaTransactionsAbi,
        functionName: "isUsedNonce",
        args: [assistant.address, nonce],
      }),
    ).toBe(true);
    await expect(
      send(fixture, relayer, {
        address: fixture.diamond,
        abi: fixture.abi,
        functionName: "executeMetaTransaction",
        args,
      }),
    ).rejects.toThrow(/NonceUsedAlready/);
  });

  it("refuses a meta-transaction signed by someone other than the user", async () => {
    const { adapter } = recordingAdapter(privateKeyToAccount(anvilKeys[1]));
    const signed = await coreSdk.signMetaTxRedeemVoucher({
      web3Lib: adapter,
      nonce: "5",
      metaTxHandlerAddress: fixture.diamond,
      chainId: fixture.chain.id,
      exchangeId: 1,
    });
    const signature = `${signed.r}${signed.s.slice(2)}${signed.v.toString(16)}` as Hex;
    const args = [signer.address, signed.functionName, signed.functionSignature as Hex, 5n, signature] as const;
    await expect(
      send(fixture, fixture.deployer, {
        address: fixture.diamond,
        abi: fixture.abi,
        functionName: "executeMetaTransaction",
        args,
      }),
    ).rejects.toThrow(/SignatureValidationFailed/);
  });
});
