import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/**
 * The bootstrap stack's config (`boson-kit-bootstrap:*`): the repository
 * whose workflows may deploy, the kit stacks they deploy (each a GitHub
 * environment of the same name), and the GCP project of the log pipeline.
 */

const name = /^[A-Za-z0-9_.-]{1,100}$/;

export const bootstrapConfigSchema = z.strictObject({
  github: z.strictObject({
    owner: z.string().regex(name, { error: "must be the GitHub owner (organisation or user) of the kit's repository" }),
    repository: z.string().regex(name, { error: "must be the repository name, without the owner" }),
    repositoryId: z
      .union([z.string(), z.number()])
      .transform(String)
      .refine((value) => /^[1-9][0-9]*$/.test(value), {
        error: "must be the repository's numeric id (GET /repos/{owner}/{repo} -> id)",
      }),
  }),
  stacks: z
    .array(
      z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, { error: "must be a kit stack name such as staging or production" }),
    )
    .min(1, { error: "must name at least one kit stack the pipeline deploys" })
    .refine((stacks) => new Set(stacks).size === stacks.length, { error: "must not name a stack twice" }),
  gcp: z.strictObject({
    project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { error: "must be a GCP project id" }),
  }),
});

export type BootstrapConfig = z.output<typeof bootstrapConfigSchema> & { readonly region: string };

/** Validates the raw values; the error names each bad key and what to set. */
export function parseBootstrapConfig(values: Record<string, unknown>, region: string): BootstrapConfig {
  const parsed = bootstrapConfigSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `boson-kit-bootstrap:${issue.path.join(".")}: ${issue.message}`,
    );
    throw new Error(`the bootstrap config is invalid:\n${problems.join("\n")}`);
  }
  return { ...parsed.data, region };
}

/** Under the Pulumi CLI: the stack's config. */
export function loadBootstrapConfig(): BootstrapConfig {
  const config = new pulumi.Config("boson-kit-bootstrap");
  const region = new pulumi.Config("aws").require("region");
  return parseBootstrapConfig(
    { github: config.getObject("github"), stacks: config.getObject("stacks"), gcp: config.getObject("gcp") },
    region,
  );
}
