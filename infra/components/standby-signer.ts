import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StandbyConfig } from "../signer-config";

/** Offline, and before the primary stack exists, a value only a deploy can know. */
export const knownAfterDeploy = "(known after deploy)";

export interface StandbySignerArgs {
  readonly standby: StandbyConfig;
  /** This stack's pinned address, if recorded: it must be the primary's. */
  readonly pinnedAddress?: string;
  /** The alias the primary's signing jobs look up in this region before each run (lambdas/contract/standby-fence.ts). */
  readonly fenceAliasName: string;
}

/**
 * What a standby stack signs with: its primary stack's multi-Region replica
 * key (in this stack's region), read from the primary stack's outputs, so a
 * switch-over needs no copied ARN. The standby creates no key of its own;
 * while switched on it declares the fence alias that stops the primary's
 * signing jobs.
 */
export class StandbySigner extends pulumi.ComponentResource {
  public readonly keyId: pulumi.Output<string>;
  public readonly keyArn: pulumi.Output<string>;
  public readonly address: pulumi.Output<string>;
  /** Present only while the standby is switched on. */
  public readonly fenceAlias: aws.kms.Alias | undefined;

  constructor(name: string, args: StandbySignerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("boson-kit:signer:StandbySigner", name, {}, opts);
    const { primaryStack, replicaKeyArn } = args.standby;
    const fullName = primaryStack.includes("/")
      ? primaryStack
      : `${pulumi.getOrganization()}/${pulumi.getProject()}/${primaryStack}`;
    const primary = new pulumi.StackReference(`${name}-primary`, { name: fullName }, { parent: this });
    const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : knownAfterDeploy);
    this.keyArn =
      replicaKeyArn !== undefined
        ? pulumi.output(replicaKeyArn)
        : primary.getOutput("assistantReplicaKeyArn").apply(text);
    this.keyId = this.keyArn;
    this.address =
      args.pinnedAddress !== undefined
        ? pulumi.output(args.pinnedAddress)
        : primary.getOutput("assistantAddress").apply(text);
    // The fence: while switched on, an alias to the replica in this region (where the primary's region cannot write
    // while it is down). The primary's signing jobs find it and stand down; switched off, Pulumi deletes it and they
    // resume. An alias targets a key of its own region: the replica is in this stack's region.
    this.fenceAlias = args.standby.active
      ? new aws.kms.Alias(
          `${name}-fence`,
          { name: args.fenceAliasName, targetKeyId: this.keyArn },
          { parent: this, deleteBeforeReplace: true },
        )
      : undefined;
    this.registerOutputs({ keyArn: this.keyArn, address: this.address });
  }
}
