/**
 * What a reader of the plan or the readiness report must know about the
 * signer: its generation, the replica region, the pinned address (or how to
 * pin it), the standby's state and the last rotation rehearsal. Offline the
 * key's address does not exist yet: it is never shown as if it did.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { KitConfig } from "../infra/config";
import { projectRoot } from "../infra/offline/stack-file";

export type RotationRehearsal = { at: string; complete: boolean };

/** Where `rotate-signer --dry-run` records its rehearsals (its `--reports` default). */
export const defaultReportsDir = join(projectRoot, "reports");

/** The last `rotate-signer --dry-run` recorded for the stack, if any. */
export function lastRotationRehearsal(stack: string, reportsDir = defaultReportsDir): RotationRehearsal | undefined {
  const file = join(reportsDir, stack, "rotation-rehearsal.json");
  if (!existsSync(file)) return undefined;
  const record = JSON.parse(readFileSync(file, "utf8")) as Partial<RotationRehearsal>;
  return typeof record.at === "string" ? { at: record.at, complete: record.complete === true } : undefined;
}

export function signerSummary(config: KitConfig, reportsDir = defaultReportsDir): string[] {
  const { signer, standby, stack } = config;
  const pin = `pulumi config set --path 'boson-kit:signer.address' "$(pulumi stack output assistantAddress --stack ${stack})" --stack ${stack}`;
  const rehearsal = lastRotationRehearsal(stack, reportsDir);
  const lines = [
    standby
      ? `Signer: standby of stack ${standby.primaryStack}, signing with its replica key in ${config.aws.region}; schedules ${standby.active ? "ON (this region sends)" : "OFF (switch on: pulumi config set --path 'boson-kit:standby.active' true, then pulumi up)"}.`
      : `Signer: generation ${signer.generation} (multi-Region key)${signer.pendingGeneration ? `, generation ${signer.pendingGeneration} pending (rotation in progress)` : ""}; replica region: ${signer.replicaRegion ?? "none"}.`,
    signer.pinnedAddress
      ? `Pinned signer address: ${signer.pinnedAddress} (jobs refuse to sign for any other).`
      : `Pinned signer address: (known after deploy). After the first \`pulumi up\`, pin it: ${pin}`,
    rehearsal
      ? `Last rotation rehearsal: ${rehearsal.at} (${rehearsal.complete ? "complete" : "stopped before the end"}).`
      : `Last rotation rehearsal: none recorded (npm run rotate-signer -- --stack ${stack} --rpc <url> --key g1=<ARN> --dry-run).`,
  ];
  return lines;
}
