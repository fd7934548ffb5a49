import { info, type CheckResult, type PreflightCheck } from "./check";

const name = "Pulumi secrets provider";

/** Which provider encrypts the stack's secrets, from the stack file's `secretsprovider:` and `encryptionsalt:` keys. */
export function describeSecretsProvider(facts: {
  readonly secretsProvider?: string;
  readonly encryptionSalt: boolean;
}): string {
  const provider = facts.secretsProvider;
  if (provider?.startsWith("awskms://")) return `AWS KMS (${provider}): every deployer needs kms:Decrypt on that key`;
  if (provider?.startsWith("gcpkms://")) return `Google Cloud KMS (${provider})`;
  if (provider?.startsWith("azurekeyvault://")) return `Azure Key Vault (${provider})`;
  if (provider?.startsWith("hashivault://")) return `HashiCorp Vault (${provider})`;
  if (provider === "passphrase" || facts.encryptionSalt)
    return "passphrase (encryptionsalt): every pulumi command needs PULUMI_CONFIG_PASSPHRASE";
  if (provider) return `${provider}`;
  return "Pulumi Cloud's per-stack key (the file has neither secretsprovider nor encryptionsalt)";
}

export const secretsProvider: PreflightCheck = {
  name,
  permissions: [],
  async run(context): Promise<CheckResult[]> {
    return [info(name, describeSecretsProvider(context.stackFile))];
  },
};
