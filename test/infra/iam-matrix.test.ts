import { runSimulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, describe, expect, it } from "vitest";
import type { RecordedResource, StackEvaluation } from "../../infra/offline/evaluate";
import { stackFacts, type StackFacts } from "../../tools/review/stack-facts";
import { evaluateCommittedStacks } from "./stack-evaluation";

/**
 * Who may do what to the signer and the secrets, decided by an independent
 * IAM evaluator (@cloud-copilot/iam-simulate, which applies KMS key-policy
 * semantics: a key policy without the account root ignores identity
 * policies) over the policies the production stack declares: each job role
 * with its own role policies, a key administrator and another account admin
 * both holding AdministratorAccess (the worst case an account allows).
 *
 * Reading a secret takes two allows: secretsmanager:GetSecretValue on the
 * secret, and kms:Decrypt on its key through Secrets Manager.
 *
 * The cells are asked as the jobs make their calls: through the kit's VPC
 * endpoints (`aws:SourceVpce`). The last test asks again from outside.
 */

type Cell =
  | "sign"
  | "publicKey"
  | "createGrant"
  | "putKeyPolicy"
  | "readRpc"
  | "readWebhookKey"
  | "updateSigningJob"
  | "passSigningRole";
const cells: readonly Cell[] = [
  "sign",
  "publicKey",
  "createGrant",
  "putKeyPolicy",
  "readRpc",
  "readWebhookKey",
  "updateSigningJob",
  "passSigningRole",
];

const account = "123456789012";
const administratorAccess = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
const otherAdmin = `arn:aws:iam::${account}:role/account-admin`;

interface Principal {
  readonly name: string;
  readonly arn: string;
  readonly identity: readonly unknown[];
}

let evaluation: StackEvaluation;
let facts: StackFacts;
let matrix: Map<string, Record<Cell, boolean>>;
let principals: Principal[];
let signerKey: { arn: string; policy: unknown };
let endpoints: { kms: string; secretsManager: string };
let secretsUnderTest: { rpc: RecordedResource; webhook: RecordedResource };
let region: string;

const digest = { "kms:SigningAlgorithm": "ECDSA_SHA_256", "kms:MessageType": "DIGEST" } as const;

const policyOf = (value: unknown): unknown => (typeof value === "string" ? JSON.parse(value) : value);

async function allowed(
  principal: Principal,
  action: string,
  resource: string,
  resourcePolicy: unknown,
  context: Record<string, string> = {},
): Promise<boolean> {
  const response = await runSimulation(
    {
      identityPolicies: principal.identity.map((policy, index) => ({ name: `policy${index}`, policy })) as never,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy: policyOf(resourcePolicy) as never } : {}),
      request: {
        principal: principal.arn,
        action,
        resource: { resource, accountId: account },
        contextVariables: context,
      },
    } as never, // the library's policy types are its own; these are plain IAM JSON documents
    {},
  );
  if (response.resultType === "error")
    throw new Error(`${action} on ${resource} for ${principal.name}: ${JSON.stringify(response.errors)}`);
  return response.overallResult === "Allowed";
}

const arnOf = (resource: RecordedResource | undefined): string => {
  const arn = resource?.computed?.arn;
  if (typeof arn !== "string") throw new Error(`${resource?.name ?? "resource"} has no ARN`);
  return arn;
};

async function readSecret(
  principal: Principal,
  secret: RecordedResource,
  sourceVpce: string | null = endpoints.secretsManager,
): Promise<boolean> {
  const policy = facts
    .ofType("aws:secretsmanager/secretPolicy:SecretPolicy")
    .find((p) => facts.resolve(p.inputs.secretArn)?.urn === secret.urn);
  const key = facts.resolve(secret.inputs.kmsKeyId);
  const get = await allowed(
    principal,
    "secretsmanager:GetSecretValue",
    arnOf(secret),
    policy?.inputs.policy,
    sourceVpce ? { "aws:SourceVpce": sourceVpce } : {},
  );
  const decrypt = await allowed(principal, "kms:Decrypt", arnOf(key), key?.inputs.policy, {
    "kms:ViaService": `secretsmanager.${region}.amazonaws.com`,
    "kms:EncryptionContext:SecretARN": arnOf(secret),
  });
  return get && decrypt;
}

beforeAll(async () => {
  ({ production: evaluation } = await evaluateCommittedStacks());
  facts = stackFacts(evaluation);
  region = evaluation.config.aws.region;
  const endpointId = (service: string) => {
    const endpoint = facts
      .ofType("aws:ec2/vpcEndpoint:VpcEndpoint")
      .find((e) => e.inputs.serviceName === `com.amazonaws.${region}.${service}`);
    const id = endpoint?.computed?.id;
    if (typeof id !== "string") throw new Error(`the production stack has no ${service} VPC endpoint`);
    return id;
  };
  endpoints = { kms: endpointId("kms"), secretsManager: endpointId("secretsmanager") };
  const signer = facts.keys.find((key) => key.secp256k1);
  const secrets = facts.ofType("aws:secretsmanager/secret:Secret");
  const rpc = secrets.find((s) => s.name.includes("rpc"));
  const webhook = secrets.find((s) => s.name.includes("webhook"));
  if (!signer || !rpc || !webhook) throw new Error("the production stack lacks the signer or a secret");
  secretsUnderTest = { rpc, webhook };
  const rolePolicies = facts.ofType("aws:iam/rolePolicy:RolePolicy");
  principals = [
    ...facts.jobs.map((job) => ({
      name: job.job,
      arn: arnOf(job.role),
      identity: rolePolicies
        .filter((p) => facts.resolve(p.inputs.role)?.urn === job.role?.urn)
        .map((p) => policyOf(p.inputs.policy)),
    })),
    ...evaluation.config.aws.kmsAdministrators.map((arn) => ({
      name: "key administrator",
      arn,
      identity: [administratorAccess],
    })),
    // The deploy role, with the broadest identity policy an account allows: the key and secret policies decide.
    ...evaluation.config.aws.deployers.map((arn) => ({ name: "deployer", arn, identity: [administratorAccess] })),
    { name: "other account admin", arn: otherAdmin, identity: [administratorAccess] },
  ];
  const keyArn = arnOf(signer.key);
  const keyPolicy = signer.key.inputs.policy;
  signerKey = { arn: keyArn, policy: keyPolicy };
  const withdraw = facts.jobs.find((job) => job.job === "withdraw");
  matrix = new Map();
  for (const principal of principals) {
    matrix.set(principal.name, {
      sign: await allowed(principal, "kms:Sign", keyArn, keyPolicy, { ...digest, "aws:SourceVpce": endpoints.kms }),
      publicKey: await allowed(principal, "kms:GetPublicKey", keyArn, keyPolicy),
      createGrant: await allowed(principal, "kms:CreateGrant", keyArn, keyPolicy),
      putKeyPolicy: await allowed(principal, "kms:PutKeyPolicy", keyArn, keyPolicy),
      readRpc: await readSecret(principal, rpc),
      readWebhookKey: await readSecret(principal, webhook),
      // One step away from signing: run other code, or the same code with another config, as a signing role.
      updateSigningJob: await allowed(principal, "lambda:UpdateFunctionConfiguration", arnOf(withdraw?.fn), undefined),
      passSigningRole: await allowed(principal, "iam:PassRole", arnOf(withdraw?.role), undefined, {
        "iam:PassedToService": "lambda.amazonaws.com",
      }),
    });
  }
});

/** Cells that are allowed; every other cell must be denied. */
const expectedAllowed: Readonly<Record<string, readonly Cell[]>> = {
  withdraw: ["sign", "publicKey", "readRpc"],
  smoke: ["sign", "publicKey", "readRpc"],
  health: ["publicKey", "readRpc"],
  watcher: ["readRpc", "readWebhookKey"],
  shipper: [],
  // Lifecycle, never Sign or CreateGrant, and never the secrets' values: the deployers write those.
  "key administrator": ["putKeyPolicy", "updateSigningJob", "passSigningRole"],
  // `pulumi up`: reads the public key, writes and refreshes the secrets (so decrypts them) and updates the key
  // policy, never signs; PutKeyPolicy makes it a signer one step away, which the report names.
  deployer: ["publicKey", "putKeyPolicy", "readRpc", "readWebhookKey", "updateSigningJob", "passSigningRole"],
  // No key or secret policy names it, and the key policies do not trust the account: identity policies
  // cannot reach the key. It can still change what a signing job runs: the report's "one step away".
  "other account admin": ["updateSigningJob", "passSigningRole"],
};

const render = () =>
  [
    `${"".padEnd(20)} ${cells.join(" ")}`,
    ...[...matrix].map(
      ([name, row]) =>
        `${name.padEnd(20)} ${cells.map((cell) => (row[cell] ? "Y" : ".").padEnd(cell.length + 1)).join("")}`,
    ),
  ].join("\n");

describe("IAM matrix of the production stack (independent evaluator)", () => {
  it("allows exactly the expected cells", () => {
    const unexpected = [...matrix].flatMap(([name, row]) =>
      cells
        .filter((cell) => row[cell] !== (expectedAllowed[name] ?? []).includes(cell))
        .map((cell) => `${name} ${cell}: ${row[cell] ? "allowed" : "denied"}`),
    );
    expect(unexpected, render()).toEqual([]);
    expect([...matrix.keys()].sort()).toEqual(Object.keys(expectedAllowed).sort());
  });

  it("agrees with the kit's own reading of the key policy: the signers are the withdraw and smoke roles", () => {
    const signer = facts.keys.find((key) => key.secp256k1);
    const bySimulator = principals
      .filter((p) => matrix.get(p.name)?.sign)
      .map((p) => p.arn)
      .sort();
    expect(bySimulator).toEqual([...(signer?.roles.signers ?? [])].sort());
  });

  // Spot checks by hand, from the key policy's text: JobsSignDigestsOnly allows kms:Sign to the signing
  // roles only with kms:MessageType DIGEST and ECDSA_SHA_256; AdministratorsNeverSign denies Sign and
  // CreateGrant to the administrators whatever their identity policies say.
  it("refuses a signing role a RAW message, and an administrator a grant even with AdministratorAccess", async () => {
    const withdraw = principals.find((p) => p.name === "withdraw");
    const admin = principals.find((p) => p.name === "key administrator");
    if (!withdraw || !admin) throw new Error("missing principals");
    const throughEndpoint = { "aws:SourceVpce": endpoints.kms };
    expect(
      await allowed(withdraw, "kms:Sign", signerKey.arn, signerKey.policy, {
        ...digest,
        "kms:MessageType": "RAW",
        ...throughEndpoint,
      }),
    ).toBe(false);
    expect(
      await allowed(withdraw, "kms:Sign", signerKey.arn, signerKey.policy, { ...digest, ...throughEndpoint }),
    ).toBe(true);
    expect(await allowed(admin, "kms:CreateGrant", signerKey.arn, signerKey.policy)).toBe(false);
    expect(await allowed(admin, "kms:PutKeyPolicy", signerKey.arn, signerKey.policy)).toBe(true);
  });

  // Stolen job credentials: the same role, the same request, but not through the kit's endpoints.
  it("refuses a signing role's Sign and the jobs' secret reads without the kit's VPC endpoint", async () => {
    const withdraw = principals.find((p) => p.name === "withdraw");
    const watcher = principals.find((p) => p.name === "watcher");
    if (!withdraw || !watcher) throw new Error("missing principals");
    expect(await allowed(withdraw, "kms:Sign", signerKey.arn, signerKey.policy, digest)).toBe(false);
    expect(
      await allowed(withdraw, "kms:Sign", signerKey.arn, signerKey.policy, {
        ...digest,
        "aws:SourceVpce": "vpce-0123456789abcdef0",
      }),
    ).toBe(false);
    expect(
      await allowed(withdraw, "kms:Sign", signerKey.arn, signerKey.policy, {
        ...digest,
        "aws:SourceVpce": endpoints.kms,
      }),
    ).toBe(true);
    expect(await readSecret(withdraw, secretsUnderTest.rpc, null)).toBe(false);
    expect(await readSecret(watcher, secretsUnderTest.webhook, "vpce-0123456789abcdef0")).toBe(false);
    expect(await readSecret(watcher, secretsUnderTest.webhook)).toBe(true);
  });
});
