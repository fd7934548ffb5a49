/**
 * The KMS account on a real node: anvil accepts and mines every transaction
 * type the Lambdas may send, and each recovers to the KMS address.
 */
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  parseEther,
  parseTransaction,
  recoverTransactionAddress,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionSerializable,
  type WalletClient,
} from "viem";
import { privateKeyToAccount, generatePrivateKey } from "viem/accounts";
import { recoverAuthorizationAddress } from "viem/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kmsAccount, type KmsAccount } from "../../lambdas/shared/kms-account/account";
import { startAnvil, type Anvil } from "../harness/anvil";
import { startKmsEndpoint, type KmsEndpoint } from "../harness/kms-endpoint";

const PER_TYPE = 20;

let anvil: Anvil;
let endpoint: KmsEndpoint;
let account: KmsAccount;
let wallet: WalletClient;
let chain: PublicClient;
const recipient = privateKeyToAccount(generatePrivateKey()).address;

beforeAll(async () => {
  [anvil, endpoint] = await Promise.all([startAnvil(), startKmsEndpoint()]);
  const { keyId } = endpoint.createKey();
  account = await kmsAccount({ keyId, client: endpoint.client() });
  const transport = http(anvil.rpcUrl);
  wallet = createWalletClient({ account, chain: anvil.chain, transport });
  chain = createPublicClient({ chain: anvil.chain, transport, pollingInterval: 20 });
  await createTestClient({ mode: "anvil", chain: anvil.chain, transport }).setBalance({
    address: account.address,
    value: parseEther("100"),
  });
});

afterAll(async () => {
  await Promise.all([anvil?.stop(), endpoint?.close()]);
});

/** Signs with the KMS account, sends the raw bytes, waits for the receipt. */
async function sendSigned(
  request: Parameters<WalletClient["prepareTransactionRequest"]>[0],
): Promise<{ serialized: Hex; hash: Hex }> {
  const prepared = await wallet.prepareTransactionRequest(request);
  const serialized = await account.signTransaction(prepared as TransactionSerializable);
  const hash = await wallet.sendRawTransaction({ serializedTransaction: serialized });
  const receipt = await chain.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe("success");
  expect(receipt.from).toBe(account.address.toLowerCase());
  expect(await recoverTransactionAddress({ serializedTransaction: serialized as never })).toBe(account.address); // `as never`: viem types the argument per transaction type
  return { serialized, hash };
}

describe("KMS account on anvil", () => {
  it(`mines ${PER_TYPE} legacy transactions with EIP-155 v`, async () => {
    for (let i = 0; i < PER_TYPE; i++) {
      const { serialized } = await sendSigned({
        account,
        chain: anvil.chain,
        to: recipient,
        value: 1n,
        type: "legacy",
      });
      const { type, v } = parseTransaction(serialized);
      expect(type).toBe("legacy");
      expect([BigInt(anvil.chain.id * 2 + 35), BigInt(anvil.chain.id * 2 + 36)]).toContain(v);
    }
  });

  it(`mines ${PER_TYPE} EIP-2930 transactions`, async () => {
    const accessList = [
      { address: recipient.toLowerCase() as Address, storageKeys: [`0x${"00".repeat(31)}01` as Hex] },
    ];
    for (let i = 0; i < PER_TYPE; i++) {
      const { serialized } = await sendSigned({
        account,
        chain: anvil.chain,
        to: recipient,
        value: 1n,
        type: "eip2930",
        accessList,
      });
      const parsed = parseTransaction(serialized);
      expect(parsed.type).toBe("eip2930");
      expect(parsed.accessList).toEqual(accessList);
    }
  });

  it(`mines ${PER_TYPE} EIP-1559 transactions`, async () => {
    for (let i = 0; i < PER_TYPE; i++) {
      const { serialized } = await sendSigned({
        account,
        chain: anvil.chain,
        to: recipient,
        value: 1n,
        type: "eip1559",
      });
      const { type, yParity } = parseTransaction(serialized);
      expect(type).toBe("eip1559");
      expect([0, 1]).toContain(yParity);
    }
  });

  it(`mines ${PER_TYPE} EIP-7702 transactions, each with a fresh KMS-signed authorization that takes effect`, async () => {
    for (let i = 0; i < PER_TYPE; i++) {
      const delegate: Address = privateKeyToAccount(generatePrivateKey()).address;
      // The nonces come from the mined state, not the "pending" tag: anvil answers "pending" from
      // its pool (last pooled nonce + 1) until the pool drops a mined transaction, a moment after
      // its receipt shows, and a self-sent authorization uses two nonces where the pool counts one.
      const nonce = await chain.getTransactionCount({ address: account.address, blockTag: "latest" });
      // The account sends its own authorization: the transaction takes `nonce`, the authorization the next one.
      const authorization = await wallet.signAuthorization({ account, contractAddress: delegate, nonce: nonce + 1 });
      expect(await recoverAuthorizationAddress({ authorization })).toBe(account.address);
      const { serialized } = await sendSigned({
        account,
        chain: anvil.chain,
        to: recipient,
        value: 1n,
        type: "eip7702",
        nonce,
        authorizationList: [authorization],
      });
      expect(parseTransaction(serialized).type).toBe("eip7702");
      // The chain applied the authorization: the account's code is the delegation designator, and it used both nonces.
      expect(await chain.getCode({ address: account.address })).toBe(`0xef0100${delegate.slice(2).toLowerCase()}`);
      expect(await chain.getTransactionCount({ address: account.address, blockTag: "latest" })).toBe(nonce + 2);
    }
  });
});
