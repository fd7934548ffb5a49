import * as pulumi from "@pulumi/pulumi";
import type { StandbyConfig } from "../signer-config";

/** Offline, and before the primary stack exists, a value only a deploy can know. */
export const knownAfterDeploy = "(known after deploy)";

export interface StandbySignerArgs {
  readonly standby: StandbyConfig;
  /** This stack's pinned address, if recorded: it must be the primary's. */
  readonly pinnedAddress?: string;
}

/**
 * What a standby stack signs with: its primary stack's multi-Region replica
 * key (in this stack's region), read from the primary stack's outputs, so a
 * switch-over needs no copied ARN. The standby creates no key of its own.
 */
export class StandbySigner extends pulumi.ComponentResource {
  public readonly keyId: pulumi.Output<string>;
  public readonly keyArn: pulumi.Output<string>;
  public readonly address: pulumi.Output<string>;

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
    this.registerOutputs({ keyArn: this.keyArn, address: this.address });
  }
}
