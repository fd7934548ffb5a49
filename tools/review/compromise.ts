import type { KitConfig } from "../../infra/config";
import type { StackFacts } from "./stack-facts";

/**
 * "If the assistant key is compromised": what a caller that can sign with
 * the assistant key can do on chain for this seller, how to stop it, and the
 * way back. Compromise here means someone can get kms:Sign on the key (the
 * material never leaves KMS), so disabling the key stops it at once.
 *
 * The on-chain rights follow the protocol's role checks (Boson Protocol
 * v2.5, contracts/protocol/facets and bases): the assistant is the caller
 * checked by getSellerIdByAssistant / seller.assistant in the offer, group,
 * twin, bundle, exchange (revokeVoucher, extendVoucher), dispute
 * (extendDisputeTimeout, the seller side of resolveDispute) and funds
 * (withdrawFunds pays the seller's treasury) handlers; updateSeller needs the
 * admin, and a new assistant must opt in itself.
 */

export interface CompromisePlan {
  readonly canDo: readonly string[];
  readonly cannotDo: readonly string[];
  readonly stop: readonly string[];
  readonly wayBack: readonly string[];
}

export function compromisePlan(config: KitConfig, facts: StackFacts): CompromisePlan {
  const { stack } = config;
  const region = config.aws.region;
  const seller = config.seller.id;
  const diamond = config.protocol.diamond;
  const signer = facts.keys.find((key) => key.secp256k1);
  const keyRef = signer?.alias ?? "<assistant key id>";
  // Offline, a schedule's auto-generated name exists only after deploy: say so rather than show the mock's.
  const schedules = facts.jobs.filter((job) => job.schedule).map((job) => asName(job.schedule?.inputs.name, job.job));
  return {
    canDo: [
      `create offers for seller ${seller} (createOffer and its batch, premint, groups with conditions, twins and bundles): including offers whose seller deposit is drawn from the seller's available funds in the protocol and whose twins transfer tokens the seller approved to the diamond`,
      "void, extend and change the royalty recipients of the seller's offers; revoke or extend its vouchers (revokeVoucher pays the buyer the price and the seller deposit)",
      "extend dispute timeouts, and sign or submit the seller's side of resolveDispute: an accomplice buyer can be refunded up to 100% of an exchange",
      `withdrawFunds for seller ${seller}: the protocol pays only the seller's treasury ${config.seller.treasury}, so this moves money to the treasury, not to the attacker`,
      "spend the assistant address's gas balance (native coin held by the address)",
    ],
    cannotDo: [
      `change the seller's admin, treasury or assistant: updateSeller requires the admin ${config.seller.admin}`,
      "withdraw the seller's funds anywhere but the treasury",
      "read or export the key: KMS never releases it; every signature needs kms:Sign through AWS",
    ],
    stop: [
      `Disable the key (a key administrator; takes effect at once, every job stops signing; disable-key takes a key id, not an alias): aws kms disable-key --region ${region} --key-id $(aws kms describe-key --region ${region} --key-id ${keyRef} --query KeyMetadata.KeyId --output text)`,
      `Stop the scheduled jobs (a deployer): ${schedules.map((name) => `aws scheduler update-schedule --region ${region} --name ${name} --state DISABLED ...`).join("; ") || "(no schedules)"} (update-schedule needs the schedule's full definition: read it with get-schedule first)`,
      `Remove the assistant from the seller (the admin smart account ${config.seller.admin}): updateSeller(${seller}) on ${diamond} with the assistant set to an address the admins hold (e.g. the admin account itself), then optInToSellerUpdate(${seller}, [Assistant]) from that address; the old key is no longer the assistant once the opt-in lands.`,
      "Void the offers the attacker created (voidOffer from the new assistant) and check the seller's available funds and open disputes.",
    ],
    wayBack: [
      `Find out how kms:Sign was reached: CloudTrail (Sign calls on the key; changes to its policy, grants and alias; changes to the signing jobs' code, configuration and roles) and the principals in the custody section (direct and one step away).`,
      `Close that path, then run the rotation runbook below on ${stack}: a new KMS key, registered as assistant from the admin account, the jobs pointed at it.`,
      `Re-enable the schedules, run the smoke job (C4), and schedule the old key's deletion once nothing refers to it.`,
    ],
  };
}

const asName = (value: unknown, job: string) =>
  typeof value === "string" && value !== "" ? value : `<the ${job} schedule's name (known after deploy)>`;
