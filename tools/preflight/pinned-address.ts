import { GetPublicKeyCommand } from "@aws-sdk/client-kms";
import { isAddressEqual } from "viem";
import { ethereumAddressFromSpki } from "../../infra/definitions/signer-address";
import { fail, info, pass, type PreflightCheck } from "./check";
import { signerKeyId } from "./signer-key";

const name = "pinned signer address";

/**
 * The address the jobs will insist on (`boson-kit:signer.address`) against
 * the key the stack's alias names in this account and region. Before the
 * first deploy it says how to pin the address afterwards; once the key
 * exists, a production stack must pin it, and a pin that the key does not
 * derive (a swapped key, a wrong alias, account or region) fails before the
 * deploy that would leave every job refusing to sign.
 */
export const pinnedSignerAddress: PreflightCheck = {
  name,
  permissions: ["kms:DescribeKey", "kms:GetPublicKey"],
  async run(context) {
    const { stack, signer, environment } = context.config;
    const alias = context.needs.signerKeyAlias;
    if (!alias) return [info(name, "this stack declares no signer key (a standby signs with its primary's replica)")];
    const pinned = signer.pinnedAddress;
    const keyId = await signerKeyId(context);
    const pinFrom = (address: string) =>
      `pulumi config set --path 'boson-kit:signer.address' ${address} --stack ${stack}`;
    if (keyId === undefined) {
      if (pinned)
        return [
          fail(
            name,
            `the stack pins ${pinned}, but no key has the alias ${alias} in ${context.config.aws.region}`,
            "check the AWS account and aws:region: the pinned key lives elsewhere",
          ),
        ];
      return [
        info(
          name,
          `no signer key yet; after the first pulumi up, pin its address: ${pinFrom(`"$(pulumi stack output assistantAddress --stack ${stack})"`)}`,
        ),
      ];
    }
    const { PublicKey } = await context.aws.kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (!PublicKey) throw new Error(`KMS returned no public key for ${alias}`);
    const address = ethereumAddressFromSpki(Buffer.from(PublicKey).toString("base64"));
    if (!pinned) {
      const detail = `the key behind ${alias} is ${address}, and the stack pins no address: the jobs sign with whatever key the alias names`;
      return [
        environment === "production"
          ? fail(name, detail, pinFrom(address))
          : info(name, `${detail}; pin it: ${pinFrom(address)}`),
      ];
    }
    if (isAddressEqual(address, pinned)) return [pass(name, `the key behind ${alias} is the pinned ${address}`)];
    return [
      fail(
        name,
        `the key behind ${alias} is ${address}, but the stack pins ${pinned}: every signing job would refuse to sign`,
        "find out why the alias names another key (a swapped key, a wrong alias, account or region) before deploying; a new key is brought in by npm run rotate-signer, never by moving the alias",
      ),
    ];
  },
};
