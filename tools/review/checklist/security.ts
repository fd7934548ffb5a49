import { configNamespace, secretConfigKeys, stackEnvironment } from "../../../infra/config";
import { asRecord, asString } from "../../../infra/policy/rules/props";
import type { Evidence } from "../report";
import { types } from "../stack-facts";
import { fact, policyEvidence, result, testEvidence, type ItemEvaluator, type ReviewContext } from "./context";
import { changeWatchEvidence, readSecretsThroughEndpointEvidence, signThroughEndpointEvidence } from "./endpoint-facts";

/** S1..S6: signer custody, smart account, RPC key exposure, configId, webhook signing, CSP. */

/** Jobs whose role may call kms:Sign on the key. */
function signingJobs(context: ReviewContext, keyUrn: string): string[] {
  return context.facts.jobs
    .filter((job) =>
      job.permissions.some(
        (p) => p.actions.some((a) => /^kms:(Sign|\*)$/i.test(a)) && p.targets.some((t) => t.urn === keyUrn),
      ),
    )
    .map((job) => job.job);
}

const S1: ItemEvaluator = (context) => {
  const { facts } = context;
  const evidence: Evidence[] = [];
  const signers = facts.keys.filter((k) => k.secp256k1);
  if (signers.length === 0)
    evidence.push(fact("resource", types.key, "no ECC_SECG_P256K1 / SIGN_VERIFY key in the stack", false));
  for (const signer of signers) {
    const jobs = signingJobs(context, signer.key.urn);
    evidence.push(
      fact(
        "resource",
        signer.key.name,
        `${signer.alias ?? "(no alias)"}: ECC_SECG_P256K1 / SIGN_VERIFY in KMS; jobs that sign: ${jobs.join(", ") || "none"}`,
        true,
      ),
    );
    for (const job of facts.jobs.filter((j) => jobs.includes(j.job))) {
      const keyRef = facts.resolve(job.env.KEY_ID);
      evidence.push(
        fact(
          "resource",
          job.fn.name,
          `KEY_ID=${job.env.KEY_ID ?? "(unset)"} ${keyRef?.urn === signer.key.urn ? "names this key" : "does not name this key"}`,
          keyRef?.urn === signer.key.urn,
        ),
      );
    }
  }
  const address = context.facts.evaluation.outputs.assistantAddress;
  if (typeof address === "string")
    evidence.push(
      fact(
        "output",
        "assistantAddress",
        `${address} (derived from the key's public key; offline: from the mock key)`,
        true,
      ),
    );
  for (const job of facts.jobs) {
    const secretEnv = job.fn.secretInputs.filter((path) => path.startsWith("environment"));
    if (secretEnv.length > 0)
      evidence.push(
        fact("resource", job.fn.name, `environment holds Pulumi secret values: ${secretEnv.join(", ")}`, false),
      );
  }
  evidence.push(
    ...signThroughEndpointEvidence(context),
    ...changeWatchEvidence(context),
    ...policyEvidence(context, [
      "stack-has-secp256k1-signer",
      "kms-signing-key-secp256k1",
      "kms-key-policy-explicit",
      "kms-no-wildcard-principal",
      "kms-signer-separation-of-duties",
      "kms-signing-key-deletion-window",
      "lambda-no-secret-in-environment",
      "gcp-no-service-account-keys",
    ]),
    ...testEvidence(context, "S1", false),
  );
  return result("S1", evidence, {
    pass: "the assistant key lives in KMS (secp256k1); jobs get its key id, never key material",
  });
};

const S2: ItemEvaluator = (context) => {
  const { config, online } = context;
  const evidence: Evidence[] = [
    fact("config", `${configNamespace}:seller.admin`, config.seller.admin, true),
    ...testEvidence(context, "S2", false),
  ];
  const check =
    `On ${config.chain.name} (chain ${config.chain.id}), open seller ${config.seller.id} on the diamond ${config.protocol.diamond} ` +
    `(getSeller(${config.seller.id})) and confirm its admin ${config.seller.admin} is a smart account contract (e.g. a Safe) held by the people in the custody table, ` +
    `and that the assistant is the KMS address or a session key. The online review (npm run review -- --stack ${config.stack} --rpc <url>) reads the first part for you.`;
  if (!online?.seller) {
    return result("S2", evidence, { pass: "offline: the kit cannot see the chain" }, { check });
  }
  const seller = online.seller;
  evidence.push(
    fact(
      "chain",
      `getSeller(${config.seller.id}).admin`,
      `${seller.admin}: ${seller.adminIsContract ? "a contract (smart account)" : "an EOA (no code)"}`,
      seller.adminIsContract,
    ),
    fact(
      "chain",
      `getSeller(${config.seller.id}).admin`,
      seller.admin.toLowerCase() === config.seller.admin.toLowerCase()
        ? "matches the config"
        : `differs from the config's ${config.seller.admin}`,
      seller.admin.toLowerCase() === config.seller.admin.toLowerCase(),
    ),
  );
  return result(
    "S2",
    evidence,
    {
      pass: "the seller's admin on chain is a contract; who holds it is for a person to confirm",
      fail: "the seller's admin is not the configured smart account",
    },
    { check },
  );
};

function rpcSecretEvidence(context: ReviewContext): Evidence[] {
  const { source, config } = context;
  return secretConfigKeys.map((key) => {
    const fullKey = `${configNamespace}:${key}`;
    if (!source) {
      const placeholder = config.placeholders.find((p) => p.key === fullKey);
      if (placeholder?.reason === "absent")
        return fact(
          "config",
          fullKey,
          `not set: run \`pulumi config set --secret ${fullKey} <url> --stack ${config.stack}\``,
          false,
        );
      return fact(
        "config",
        fullKey,
        placeholder ? `${placeholder.reason} in the stack file (a secret)` : "provided to the program",
        true,
      );
    }
    const value = source.values[fullKey];
    if (value === undefined)
      return fact(
        "config",
        fullKey,
        `not set: run \`pulumi config set --secret ${fullKey} <url> --stack ${config.stack}\` (\`pulumi up\` refuses to run without it)`,
        false,
      );
    if (typeof value === "object" && value !== null && "secure" in value)
      return fact("config", fullKey, "encrypted in the stack file (secure:)", true);
    if (source.secretKeys.has(fullKey)) return fact("config", fullKey, "a Pulumi secret", true);
    return fact(
      "config",
      fullKey,
      "stored in plaintext in the stack file: the RPC API key is readable by anyone with the repository",
      false,
    );
  });
}

const S3: ItemEvaluator = (context) => {
  const { facts } = context;
  const evidence: Evidence[] = rpcSecretEvidence(context);
  for (const job of facts.chainJobs) {
    const secret = facts.resolve(job.env.RPC_SECRET_ARN);
    evidence.push(
      fact(
        "resource",
        job.fn.name,
        secret?.type === types.secret
          ? `reads the RPC URLs from secret ${secret.name} at run time`
          : "has no RPC_SECRET_ARN naming a secret of this stack",
        secret?.type === types.secret,
      ),
    );
  }
  const ips = facts.evaluation.outputs.rpcEgressIps;
  const egress = Array.isArray(ips) ? ips.map(String) : [];
  const nats = facts.ofType(types.nat).length;
  evidence.push(
    fact(
      "output",
      "rpcEgressIps",
      egress.length > 0
        ? `allowlist ${egress.join(", ")} at the RPC provider (one Elastic IP per NAT gateway, ${nats} NAT gateway(s))`
        : "no egress IPs: nothing for the provider to allowlist",
      egress.length > 0 && egress.length === nats,
    ),
    ...readSecretsThroughEndpointEvidence(context),
    ...policyEvidence(context, ["lambda-in-vpc", "lambda-private-subnets-behind-nat", "secret-cmk"]),
    ...testEvidence(context, "S3", true),
  );
  return result(
    "S3",
    evidence,
    {
      pass: `jobs reach RPC only from the NAT Elastic IPs (${egress.join(", ")}); the provider keys must be restricted to them`,
      fail: "the RPC URLs are not ready",
    },
    {
      check: `At each RPC provider (primary and fallback), restrict the API key in boson-kit:rpcPrimaryUrl / rpcFallbackUrl to the stack's egress IPs (\`pulumi stack output rpcEgressIps --stack ${context.config.stack}\`), then confirm a request from another IP is refused.`,
    },
  );
};

const S4: ItemEvaluator = (context) => {
  const { config, facts } = context;
  const { environment, acceptedPrefixes } = stackEnvironment(config.stack);
  const prefixOk = acceptedPrefixes.some((prefix) => config.configId.startsWith(prefix));
  const evidence: Evidence[] = [
    fact(
      "config",
      `${configNamespace}:configId`,
      `${config.configId} on the ${environment} stack "${config.stack}" (accepts ${acceptedPrefixes.join(", ")})`,
      prefixOk,
    ),
  ];
  for (const job of facts.chainJobs) {
    const value = job.env.CONFIG_ID;
    evidence.push(
      fact("resource", job.fn.name, `CONFIG_ID=${value ?? "(unset)"} from the stack config`, value === config.configId),
    );
  }
  evidence.push(...testEvidence(context, "S4", true));
  return result("S4", evidence, {
    pass: `configId ${config.configId} comes from the ${environment} stack's config into each job's environment`,
  });
};

const S5: ItemEvaluator = (context) => {
  const { config, facts } = context;
  if (config.webhooks.endpoints.length === 0) {
    return result(
      "S5",
      [fact("config", `${configNamespace}:webhooks.endpoints`, "no webhook endpoints: nothing is sent", true)],
      { pass: "no webhooks configured" },
    );
  }
  const evidence: Evidence[] = [
    fact("config", `${configNamespace}:webhooks.endpoints`, config.webhooks.endpoints.join(", "), true),
  ];
  const generated = facts.custom.filter(
    (r) => r.type === "random:index/randomBytes:RandomBytes" || r.type === "random:index/randomPassword:RandomPassword",
  );
  evidence.push(
    fact(
      "resource",
      generated.map((r) => r.name).join(", ") || "random:*",
      generated.length > 0 ? "the HMAC key is generated by the stack, never typed in" : "no generated HMAC key",
      generated.length > 0,
    ),
  );
  const senders = facts.jobs.filter(
    (job) => job.env.WEBHOOK_ENDPOINTS !== undefined || job.env.WEBHOOK_SECRET_ARN !== undefined,
  );
  if (senders.length === 0) evidence.push(fact("resource", types.function, "no job has WEBHOOK_SECRET_ARN", false));
  for (const job of senders) {
    const secret = facts.resolve(job.env.WEBHOOK_SECRET_ARN);
    evidence.push(
      fact(
        "resource",
        job.fn.name,
        secret?.type === types.secret
          ? `signs with the key in secret ${secret.name}`
          : "sends webhooks without a signing secret of this stack",
        secret?.type === types.secret,
      ),
    );
  }
  evidence.push(...policyEvidence(context, ["secret-cmk"]), ...testEvidence(context, "S5", true));
  return result("S5", evidence, { pass: "webhooks are signed with a generated HMAC key held in Secrets Manager" });
};

const S6: ItemEvaluator = (context) => {
  const headers = context.facts.ofType(types.headers);
  const evidence: Evidence[] = headers.map((policy) => {
    const csp = asString(
      asRecord(asRecord(policy.inputs.securityHeadersConfig).contentSecurityPolicy).contentSecurityPolicy,
    );
    return fact("resource", policy.name, `Content-Security-Policy: ${csp ?? "(none)"}`, csp !== undefined);
  });
  evidence.push(...policyEvidence(context, ["stack-has-widget-csp", "csp-widget-origin-only"]));
  return result("S6", evidence, {
    pass: "the storefront CSP allows the widget origin for scripts and frames, nothing wider",
  });
};

export const securityItems = { S1, S2, S3, S4, S5, S6 };
