/**
 * The local peers most job tests share: anvil with the protocol fixture
 * deployed, the KMS stand-in, and a seller whose assistant is a KMS key
 * (funded with gas), optionally with native funds deposited for it.
 */
import { zeroAddress } from "viem";
import { createWriteClients, type WriteClients } from "../../lambdas/shared/chain/clients";
import type { KmsAccount } from "../../lambdas/shared/kms-account/account";
import { createJobLogger } from "../../lambdas/shared/runtime/logger";
import type { RetryPolicy } from "../../lambdas/shared/runtime/retry";
import { startAnvil, type Anvil } from "./anvil";
import { startKmsEndpoint, type KmsEndpoint } from "./kms-endpoint";
import {
  createKmsSeller,
  deployProtocolFixture,
  depositFunds,
  type FixtureDeployment,
  type SellerSetup,
} from "./protocol-fixture";

export type KmsSellerChain = {
  anvil: Anvil;
  kms: KmsEndpoint;
  fixture: FixtureDeployment;
  account: KmsAccount;
  seller: SellerSetup;
  /** Write clients signing with the seller's KMS account, logging as `job`. */
  writeClients(job: Parameters<typeof createJobLogger>[0]): WriteClients;
  /**
   * A `sleep` for finality polls that mines one block instead of waiting, so
   * confirmations arrive without wall-clock time.
   */
  mineOnSleep(): Promise<void>;
  stop(): Promise<void>;
};

export async function startKmsSellerChain(
  options: { retry?: Partial<RetryPolicy>; depositWei?: bigint } = {},
): Promise<KmsSellerChain> {
  const [anvil, kms] = await Promise.all([startAnvil(), startKmsEndpoint()]);
  const stop = async () => {
    await Promise.all([anvil.stop(), kms.close()]);
  };
  let fixture: FixtureDeployment;
  let account: KmsAccount;
  let seller: SellerSetup;
  try {
    fixture = await deployProtocolFixture(anvil.chain, anvil.rpcUrl);
    ({ account, seller } = await createKmsSeller(fixture, kms, options.retry ? { retry: options.retry } : {}));
    if (options.depositWei !== undefined) await depositFunds(fixture, seller.sellerId, zeroAddress, options.depositWei);
  } catch (error) {
    // The caller never gets a handle to stop: do not leave anvil running.
    await stop();
    throw error;
  }
  return {
    anvil,
    kms,
    fixture,
    account,
    seller,
    writeClients: (job) =>
      createWriteClients({
        chainId: anvil.chain.id,
        urls: { primary: anvil.rpcUrl },
        logger: createJobLogger(job),
        account,
        pollingIntervalMs: 20,
      }),
    mineOnSleep: async () => {
      await fixture.testClient.mine({ blocks: 1 });
    },
    stop,
  };
}
