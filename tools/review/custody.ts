import type { KitConfig } from "../../infra/config";
import { allowsAny, statementsOf } from "../../infra/policy/iam-document";
import { policyViews, signersOf, type Deployment, type PolicyView, type Signers } from "./custody-statements";
import type { ChainFacts } from "./online/chain-facts";
import type { StackFacts } from "./stack-facts";

/**
 * M3: who holds the seller's keys and how to rotate them. Read from the key
 * policies (who can administer, who can sign or use each key), the stack
 * config (the seller's admin, treasury and the key administrators), the
 * stack outputs (the KMS-derived assistant address) and, online, the chain.
 */

export interface PrincipalView {
  readonly principal: string;
  /** Who that is, as far as the stack and config can tell. */
  readonly who: string;
}

export interface KeyCustody {
  readonly key: string;
  readonly alias: string | undefined;
  readonly spec: string;
  readonly usage: string;
  readonly administrators: readonly PrincipalView[];
  /** Signing keys: who can sign. Data keys: who can encrypt or decrypt. */
  readonly users: readonly PrincipalView[];
  readonly problems: readonly string[];
}

export interface Custody {
  readonly keys: readonly KeyCustody[];
  readonly seller: {
    readonly id: string;
    readonly admin: string;
    readonly treasury: string;
    /** The KMS-derived address the stack outputs (offline: derived from the mock key). */
    readonly assistant: string | undefined;
    readonly assistantKey: string | undefined;
    readonly onChain?: {
      readonly assistant: string;
      readonly admin: string;
      readonly treasury: string;
      readonly adminIsContract: boolean;
    };
  };
  readonly kmsAdministrators: readonly string[];
  /** Every key and secret policy, statement by statement. */
  readonly policies: readonly PolicyView[];
  readonly signers: Signers;
  readonly deployment: Deployment;
  readonly runbook: readonly string[];
}

const dataActions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom"];

function describePrincipal(principal: string, config: KitConfig, facts: StackFacts): string {
  if (config.aws.kmsAdministrators.includes(principal)) return "key administrator (stack config kmsAdministrators)";
  // Deploying needs kms:PutKeyPolicy (KMS's lockout check), and PutKeyPolicy can grant Sign: an effective signer.
  if (config.aws.deployers.includes(principal))
    return "deployer (stack config deployers): holds kms:PutKeyPolicy, so it could grant itself Sign";
  if (principal.startsWith("Service:")) return `AWS service ${principal.slice("Service:".length)}`;
  const role = facts.resolve(principal);
  if (role) {
    const jobs = facts.jobs.filter((job) => job.role?.urn === role.urn).map((job) => job.job);
    return jobs.length > 0 ? `execution role of the ${jobs.join(", ")} job` : `role ${role.name} of this stack`;
  }
  return "not in this stack or its config: find out who this is";
}

function keyCustody(config: KitConfig, facts: StackFacts): KeyCustody[] {
  return facts.keys.map((key) => {
    const view = (principal: string): PrincipalView => ({
      principal,
      who: describePrincipal(principal, config, facts),
    });
    const dataUsers = [
      ...new Set(
        statementsOf(key.key.inputs.policy)
          .filter((s) => allowsAny(s, dataActions))
          .flatMap((s) => s.principals.map((p) => (p.kind === "AWS" ? p.id : `${p.kind}:${p.id}`))),
      ),
    ];
    const problems = [
      ...(key.roles.error ? [key.roles.error] : []),
      ...key.roles.administrators
        .filter((a) => !config.aws.kmsAdministrators.includes(a) && !config.aws.deployers.includes(a))
        .map((a) => `${a} can administer the key but is not in kmsAdministrators or deployers`),
      ...config.aws.kmsAdministrators
        .filter((a) => !key.roles.administrators.includes(a))
        .map((a) => `${a} is a configured administrator but cannot administer this key`),
    ];
    return {
      key: key.key.name,
      alias: key.alias,
      spec: String(key.key.inputs.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT"),
      usage: String(key.key.inputs.keyUsage ?? "ENCRYPT_DECRYPT"),
      administrators: key.roles.administrators.map(view),
      users: [...(key.signing ? key.roles.signers : dataUsers)].sort().map(view),
      problems,
    };
  });
}

/** The stack's rotation runbook: asymmetric keys cannot rotate, so rotation is a new key and a new address. */
function runbook(config: KitConfig, facts: StackFacts): string[] {
  const stack = config.stack;
  const alias = facts.keys.find((k) => k.secp256k1)?.alias ?? "the assistant key alias";
  const chain = `${config.chain.name} (chain ${config.chain.id})`;
  return [
    `KMS cannot rotate an asymmetric key (ECC_SECG_P256K1): rotating the assistant means a new key, hence a new address. Practise this on staging first (the fire drill), then on ${stack}.`,
    `Create the new key next to the old one: declare a second signer in infra/program.ts (another resource name, same administrators and signers), then \`pulumi preview --stack ${stack} --save-plan rotate.json\` and \`pulumi up --stack ${stack} --plan rotate.json\`. Read its id and address from the outputs (the address is derived from the key's public key, never from a private key).`,
    `Fund the new address with enough native coin on ${chain} for one transaction (the opt-in below).`,
    `Register it as the seller's assistant: from the seller admin ${config.seller.admin} (the smart account), call \`updateSeller\` on the diamond ${config.protocol.diamond} for seller ${config.seller.id} with assistant = <new address> (admin, treasury ${config.seller.treasury} and auth token unchanged).`,
    `Complete the update from the new address (signed by the new KMS key): \`optInToSellerUpdate(${config.seller.id}, [SellerUpdateFields.Assistant])\`. Check \`getSeller(${config.seller.id})\` now returns the new assistant, or run \`npm run review -- --stack ${stack} --rpc <url>\`.`,
    `Point the jobs at the new key (KEY_ID) and move ${alias} to it: \`pulumi up --stack ${stack}\`. From now on the old key signs nothing the protocol accepts for this seller.`,
    `Move the gas balance left on the old address to the new one (one transfer signed by the old key), and confirm the gas-balance alarms clear.`,
    `Disable the old key: \`aws kms disable-key --key-id <old key id> --region ${config.aws.region}\` (one of the key administrators). After a full job cycle with no errors, schedule its deletion with the 30-day window: \`aws kms schedule-key-deletion --key-id <old key id> --pending-window-in-days 30\`. Record the date of the drill and who ran each step.`,
  ];
}

const unknownDeployment: Deployment = {
  deployers: [],
  previewers: [],
  backend: "(not read)",
  secretsProvider: "(not read)",
};

export function custodyOf(
  config: KitConfig,
  facts: StackFacts,
  online: ChainFacts | undefined,
  deployment: Deployment = unknownDeployment,
): Custody {
  const describe = (principal: string) =>
    deployment.deployers.includes(principal)
      ? "deployer (boson-kit:deployers)"
      : describePrincipal(principal, config, facts);
  const assistant = facts.evaluation.outputs.assistantAddress;
  const signer = facts.keys.find((k) => k.secp256k1);
  const seller = online?.seller;
  return {
    keys: keyCustody(config, facts),
    seller: {
      id: config.seller.id,
      admin: config.seller.admin,
      treasury: config.seller.treasury,
      assistant: typeof assistant === "string" ? assistant : undefined,
      assistantKey: signer ? (signer.alias ?? signer.key.name) : undefined,
      ...(seller
        ? {
            onChain: {
              assistant: seller.assistant,
              admin: seller.admin,
              treasury: seller.treasury,
              adminIsContract: seller.adminIsContract,
            },
          }
        : {}),
    },
    kmsAdministrators: config.aws.kmsAdministrators,
    policies: policyViews(facts, describe),
    signers: signersOf(facts, deployment, describe),
    deployment,
    runbook: runbook(config, facts),
  };
}
