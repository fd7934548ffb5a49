import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";

/**
 * Sign-offs: what a person checked that the code cannot (the seller's admin
 * is a smart account, the RPC keys are restricted to the egress IPs, the
 * state machine ran on the real protocol, who holds the admin keys, the
 * release's smoke run, the first `pulumi up`, an alert canary). One file per
 * stack, signoffs/<stack>.yaml, validated like the config: an entry that
 * does not validate, or has expired, counts as absent and the report says why.
 */

export const signoffItems = {
  S2: {
    awaits: "the seller's admin key holders",
    title: "The seller's admin is a smart account; the assistant is the KMS key or a session key",
  },
  S3: {
    awaits: "the platform team (RPC provider account)",
    title: "Both RPC API keys are restricted to the stack's egress IPs",
  },
  M2: {
    awaits: "the release owner",
    title: "The full exchange state machine ran on the real protocol with this stack",
  },
  M3: {
    awaits: "the security reviewer",
    title: "The people holding the admin keys are named; the rotation fire drill was run",
  },
  C4: { awaits: "the release owner", title: "The smoke job ran against this stack for this release" },
  "first-pulumi-up": {
    awaits: "a deployer",
    title: "The first `pulumi up` of this stack on its AWS account succeeded",
  },
  "alert-canary": {
    awaits: "the on-call",
    title:
      "Both alert paths reached the on-call after `pulumi up`: (1) `aws cloudwatch set-alarm-state --alarm-name <any kit alarm> --state-value ALARM --state-reason canary`; (2) the change watch: as a deployer, `aws lambda update-function-configuration --function-name <withdraw function> --description canary`, then restore the description with `pulumi up`. Sign with the time each page arrived; if (2) never arrives, the trail (boson-kit:changeWatch.trail) is not delivering to EventBridge",
  },
  "pinned-action-shas": {
    awaits: "the platform team",
    title: "The commit SHAs the release workflows pin match the tags beside them (git ls-remote)",
  },
  "first-pipeline-run": {
    awaits: "the release owner",
    title:
      "The release pipeline ran end to end once: staging deployed and smoke-tested, production promoted with approval, no static key",
  },
} as const;

export type SignoffItem = keyof typeof signoffItems;
export const signoffItemIds = Object.keys(signoffItems) as SignoffItem[];

const isoDate = z.iso.date({ error: "must be a date, YYYY-MM-DD" });

export const signoffSchema = z
  .object({
    item: z.enum(signoffItemIds as [SignoffItem, ...SignoffItem[]], {
      error: `must be one of ${signoffItemIds.join(", ")}`,
    }),
    who: z.string().trim().min(3, { error: "must name the person (and role) who checked" }),
    when: isoDate,
    checked: z.string().trim().min(20, { error: "must say what was checked and how (20 characters at least)" }),
    expires: isoDate.optional(),
  })
  .strict()
  .refine((entry) => entry.expires === undefined || entry.expires > entry.when, {
    error: "expires must be after when",
    path: ["expires"],
  });

export type Signoff = z.infer<typeof signoffSchema>;

export interface SignoffFile {
  readonly file: string;
  /** Valid, unexpired sign-offs, the latest per item. */
  readonly valid: ReadonlyMap<SignoffItem, Signoff>;
  /** Entries that count as absent, with why. */
  readonly rejected: readonly string[];
}

export const signoffFile = (stack: string) => join("signoffs", `${stack}.yaml`);

/** Validates a parsed sign-off document; `today` (YYYY-MM-DD) decides what has expired. */
export function validateSignoffs(document: unknown, file: string, today: string): SignoffFile {
  const rejected: string[] = [];
  const valid = new Map<SignoffItem, Signoff>();
  if (document === null || document === undefined) return { file, valid, rejected };
  const entries = (document as { signoffs?: unknown }).signoffs;
  if (typeof document !== "object" || !Array.isArray(entries)) {
    return {
      file,
      valid,
      rejected: [`${file}: expected \`signoffs:\` with a list of entries; every sign-off in it counts as absent`],
    };
  }
  entries.forEach((entry: unknown, index) => {
    const parsed = signoffSchema.safeParse(entry);
    const label = `${file} entry ${index + 1}${typeof (entry as { item?: unknown })?.item === "string" ? ` (${(entry as { item: string }).item})` : ""}`;
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "entry"}: ${issue.message}`)
        .join("; ");
      rejected.push(`${label} counts as absent: ${problems}`);
      return;
    }
    if (parsed.data.when > today) {
      rejected.push(`${label} counts as absent: dated ${parsed.data.when}, after today (${today})`);
      return;
    }
    if (parsed.data.expires !== undefined && parsed.data.expires <= today) {
      rejected.push(`${label} counts as absent: expired on ${parsed.data.expires}`);
      return;
    }
    const previous = valid.get(parsed.data.item);
    if (!previous || previous.when <= parsed.data.when) valid.set(parsed.data.item, parsed.data);
  });
  return { file, valid, rejected };
}

export function readSignoffs(
  root: string,
  stack: string,
  today: string = new Date().toISOString().slice(0, 10),
): SignoffFile {
  const file = signoffFile(stack);
  const path = join(root, file);
  if (!existsSync(path)) return { file, valid: new Map(), rejected: [] };
  let document: unknown;
  try {
    document = parse(readFileSync(path, "utf8"));
  } catch (error) {
    return {
      file,
      valid: new Map(),
      rejected: [
        `${file} is not valid YAML (${(error as Error).message.split("\n")[0]}); every sign-off in it counts as absent`,
      ],
    };
  }
  return validateSignoffs(document, file, today);
}
