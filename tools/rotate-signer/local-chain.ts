/**
 * The chain a dry run of the `local` stack rehearses on: anvil with the
 * protocol fixture at the official local diamond address, and a seller whose
 * assistant is a key on the kit's KMS endpoint (as `npm run dev` sets it up).
 * It stands for the stack's real chain: the rehearsal forks it.
 */
import { parseEther } from "viem";
import type { KitConfig } from "../../infra/config";
import { kmsAccount } from "../../lambdas/shared/kms-account/account";
import { startAnvil, type Anvil } from "../../test/harness/anvil";
import { startKmsEndpoint, type KmsEndpoint } from "../../test/harness/kms-endpoint";
import { createSeller, fund } from "../../test/harness/protocol-fixture";
import { deployAtOfficialAddress } from "../dev/peers";

export type LocalSellerChain = {
  anvil: Anvil;
  kms: KmsEndpoint;
  /** The seller's assistant key (generation 1). */
  keyArn: string;
  stop(): Promise<void>;
};

export async function startLocalSellerChain(config: KitConfig): Promise<LocalSellerChain> {
  const [anvil, kms] = await Promise.all([
    startAnvil({ chainId: config.chain.id }),
    startKmsEndpoint({ region: config.aws.region }),
  ]);
  const stop = async () => {
    await Promise.all([anvil.stop(), kms.close()]);
  };
  try {
    const fixture = await deployAtOfficialAddress(anvil, config.protocol.diamond);
    const { keyId, arn } = kms.createKey();
    const account = await kmsAccount({ keyId, client: kms.client() });
    await fund(fixture, account.address, parseEther("0.5"));
    const { sellerId } = await createSeller(fixture, account.address, config.seller.treasury);
    if (sellerId.toString() !== config.seller.id.toString())
      throw new Error(
        `the local fixture created seller ${sellerId}, but boson-kit:seller.id is ${config.seller.id}: set it to ${sellerId}`,
      );
    return { anvil, kms, keyArn: arn, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
