import * as pulumi from "@pulumi/pulumi";
import type { KitConfig } from "./config";
import { jobNames } from "../lambdas/contract";
import { gasAlarmSeverities } from "./definitions/alarms";
import { Alerts } from "./components/alerts";
import { ChangeWatch } from "./components/change-watch";
import { Dashboard } from "./components/dashboard";
import { jobCatalog, jobsWhere } from "./definitions/job-catalog";
import { configEnvironment } from "./definitions/job-environment";
import { JobRoles } from "./components/job-roles";
import { Jobs } from "./components/jobs";
import { LogPipeline } from "./components/log-pipeline";
import { RpcEgress } from "./components/rpc-egress";
import { Signer } from "./components/signer";
import { StandbySigner } from "./components/standby-signer";
import { standbyFenceAliasName } from "../lambdas/contract/standby-fence";
import { signerGenerations } from "./definitions/signer-generations";
import { State } from "./components/state";
import { StorefrontCsp } from "./components/storefront-csp";
import { widgetsOriginFor } from "./definitions/widgets";
import { Webhooks } from "./components/webhooks";
import { stackRelease } from "./build/release";
import type { ReleaseIdentity } from "../lambdas/contract/release";

/**
 * The kit's composition root: config -> components -> stack outputs. Kept
 * apart from `index.ts` (the Pulumi entrypoint) so the offline plan, the
 * review and the tests evaluate exactly the program `pulumi up` runs, with a
 * config they read from the stack file.
 *
 * Order matters once: the job roles come first, because the signer's key
 * policy, the secrets' policies and the data keys name them, and KMS refuses
 * a policy whose principal does not exist yet; the network comes before the
 * signer, whose key policy names the KMS endpoint. To add a component (the log
 * pipeline, say), declare it after `jobs` and add its outputs to the return.
 */
export function kitProgram(config: KitConfig): Record<string, unknown> {
  const region = config.aws.region;
  const administrators = config.aws.kmsAdministrators;
  const deployers = config.aws.deployers;

  const roles = new JobRoles("job-roles", {
    jobs: jobNames.map((job) => ({ name: job, scheduled: jobCatalog[job].schedule !== undefined })),
  });
  const roleArns = (jobs: readonly (typeof jobNames)[number][]) => jobs.map((job) => roles.executionRoleArn(job));

  const state = new State("state", {
    region,
    administrators,
    deployers,
    users: {
      idempotency: roleArns(jobsWhere((spec) => spec.uses.idempotencyTable === true)),
      events: roleArns(jobsWhere((spec) => spec.uses.eventsTable === true || spec.uses.businessCounters === true)),
      checkpoints: roleArns(jobsWhere((spec) => spec.uses.checkpointsTable === true)),
    },
  });

  const egress = new RpcEgress("rpc-egress", {
    availabilityZoneCount: config.aws.availabilityZones,
    ...(config.aws.availabilityZoneIds ? { availabilityZoneIds: config.aws.availabilityZoneIds } : {}),
    region,
    rpc: config.rpc,
    administrators,
    deployers,
    readers: roleArns(jobNames),
  });

  const jobSigners = roleArns(jobsWhere((spec) => spec.uses.signer === "sign"));
  // A standby stack signs with its primary's replica and declares no key.
  const generations = config.standby
    ? []
    : signerGenerations(config.signer, `alias/${config.project}/${config.stack}/assistant`);
  const signers = generations.map(
    (generation) =>
      [
        generation,
        new Signer(generation.resourceName, {
          signingRole: "assistant",
          aliasName: generation.aliasName,
          administrators,
          deployers,
          previewers: config.aws.previewers,
          // A pending key signs only the rotation's opt-in: the protocol does not accept it yet, so no job may use it.
          // While a rotation is pending, the rotation role also signs with the active key: it moves the old key's gas.
          signers:
            generation.role === "pending"
              ? config.signer.rotationSigners
              : [
                  ...config.signer.standbySigners,
                  ...(generation.role === "active" && config.signer.pendingGeneration
                    ? config.signer.rotationSigners
                    : []),
                ],
          // This stack's jobs sign only through its KMS endpoint: their credentials used elsewhere cannot sign.
          signThroughEndpoint: {
            endpoint: egress.endpoints.kms,
            signers: generation.role === "pending" ? [] : jobSigners,
            egressIps: egress.egressIps,
          },
          publicKeyReaders: roleArns(jobsWhere((spec) => spec.uses.signer === "publicKey")),
          ...(config.signer.replicaRegion ? { replicaRegion: config.signer.replicaRegion } : {}),
          enabled: generation.role !== "retired",
        }),
      ] as const,
  );
  const signer = config.standby
    ? new StandbySigner("standby-signer", {
        standby: config.standby,
        fenceAliasName: standbyFenceAliasName(config.project, config.standby.primaryStack),
        ...(config.signer.pinnedAddress ? { pinnedAddress: config.signer.pinnedAddress } : {}),
      })
    : (signers.find(([generation]) => generation.role === "active")?.[1] ?? unreachableSigner());
  const replicaKeyArn = signer instanceof Signer ? signer.replica?.keyArn : undefined;
  const rotationAddress = signers.find(([generation]) => generation.role === "pending")?.[1].address;

  const webhooks = new Webhooks("webhooks", {
    region,
    endpoints: config.webhooks.endpoints,
    administrators,
    deployers,
    signers: roleArns(jobsWhere((spec) => spec.uses.webhookSecret === true)),
    readThroughEndpoint: egress.endpoints.secretsManager,
  });

  const jobs = new Jobs("jobs", {
    region,
    administrators,
    deployers,
    roles,
    schedules: config.schedules,
    schedulesEnabled: config.standby?.active ?? true,
    logRetentionDays: config.logRetentionDays,
    configEnvironment: configEnvironment(config),
    signer: {
      keyId: signer.keyId,
      keyArn: signer.keyArn,
      address: signer.address,
      ...(replicaKeyArn
        ? { replicaKeyArn, standbyFenceAlias: standbyFenceAliasName(config.project, config.stack) }
        : {}),
      ...(config.signer.pinnedAddress ? { pinnedAddress: config.signer.pinnedAddress } : {}),
      ...(rotationAddress ? { rotationAddress } : {}),
    },
    rpcSecretArn: egress.secretArn,
    tables: { idempotency: state.idempotencyTable, events: state.eventsTable, checkpoints: state.checkpointsTable },
    webhooks: { secretArn: webhooks.secretArn, endpointsJson: webhooks.endpointsJson },
    smoke: config.smoke,
    network: { subnetIds: egress.privateSubnetIds, securityGroupIds: [egress.jobSecurityGroupId] },
    endpoints: { ...egress.endpoints, egressIps: egress.egressIps },
    releaseJson: pulumi.output(stackRelease()).apply((release) => JSON.stringify(release)),
  });

  const alerts = new Alerts("alerts", {
    stack: config.stack,
    region,
    gas: config.gas,
    subgraphMaxLagBlocks: config.subgraph.maxLagBlocks,
    schedules: config.schedules,
    ...(config.transactions ? { transactions: config.transactions } : {}),
    administrators,
    deployers,
    subscriptions: config.alerts,
    cooldownMinutes: config.alerts.cooldownMinutes,
    silentJobsExpected: config.standby !== undefined && !config.standby.active,
    signerReplica: replicaKeyArn !== undefined,
    jobs: jobNames.map((job) => ({
      job,
      functionName: jobs.jobs[job].function.name,
      queueName: jobs.jobs[job].deadLetterQueue.name,
    })),
  });

  const signingJobs = jobsWhere((spec) => spec.uses.signer === "sign");
  new ChangeWatch("change-watch", {
    region,
    trail: config.changeWatch.trail,
    topicArn: alerts.topicArn,
    // A standby stack declares no key: its primary's stack watches it.
    ...(signer instanceof Signer
      ? { signerKey: { keyId: signer.keyId, keyArn: signer.keyArn, aliasName: signer.aliasName } }
      : {}),
    secrets: [egress.secret, webhooks.secret].map((secret) => ({ arn: secret.arn, name: secret.name })),
    signingJobs: signingJobs.map((job) => ({
      functionArn: jobs.jobs[job].function.arn,
      functionName: jobs.jobs[job].function.name,
      roleName: roles.identity(job).executionRole.name,
    })),
  });

  const dashboard = new Dashboard("dashboard", {
    stack: config.stack,
    region,
    gasThresholds: config.gas.alertRatios.map((ratio, index) => ({
      label: gasAlarmSeverities[index] ?? `${ratio}x`,
      value: Number(config.gas.expectedDailyBurnWei) * ratio,
    })),
    subgraphMaxLagBlocks: config.subgraph.maxLagBlocks,
    tokenSymbols: config.seller.tokens.map((token) => token.symbol),
  });

  const storefront = new StorefrontCsp("storefront-csp", { widgetsOrigin: widgetsOriginFor(config.configId) });

  const logPipeline = new LogPipeline("log-pipeline", {
    stack: config.stack,
    configId: config.configId,
    awsRegion: region,
    gcp: config.gcp,
    logRetentionDays: config.logRetentionDays,
    administrators,
    deployers,
    jobLogGroups: jobNames.map((job) => ({
      job,
      logGroupName: jobs.jobs[job].logGroup.name,
      logGroupArn: jobs.jobs[job].logGroup.arn,
    })),
    network: { subnetIds: egress.privateSubnetIds, securityGroupIds: [egress.jobSecurityGroupId] },
  });

  return {
    configId: config.configId,
    chainId: config.chain.id,
    protocolDiamond: config.protocol.diamond,
    assistantKeyId: signer.keyId,
    assistantKeyArn: signer.keyArn,
    assistantKeyAlias: signer instanceof Signer ? signer.aliasName : "(the primary stack's alias)",
    assistantAddress: signer.address,
    assistantReplicaKeyArn: replicaKeyArn ?? "(no replica)",
    signingRoleArns: jobSigners,
    standby: config.standby
      ? { primaryStack: config.standby.primaryStack, active: config.standby.active, region }
      : "(not a standby stack)",
    assistantGenerations: pulumi.output(
      Object.fromEntries(
        signers.map(([generation, key]) => [
          `g${generation.generation}`,
          { role: generation.role, keyArn: key.keyArn, address: key.address },
        ]),
      ),
    ),
    rpcEgressIps: egress.egressIps,
    rpcSecretArn: egress.secretArn,
    webhookSecretArn: webhooks.secretArn,
    jobFunctions: pulumi.output(Object.fromEntries(jobNames.map((job) => [job, jobs.jobs[job].function.name]))),
    smokeFunctionName: jobs.jobs.smoke.function.name,
    tables: {
      idempotency: state.idempotencyTable.name,
      events: state.eventsTable.name,
      checkpoints: state.checkpointsTable.name,
    },
    alertsTopicArn: alerts.topicArn,
    dashboardName: dashboard.dashboardName,
    storefrontResponseHeadersPolicyId: storefront.policyId,
    logShipperFunctionName: logPipeline.shipperFunction.name,
    logWriterServiceAccount: logPipeline.serviceAccountEmail,
    logBucketId: logPipeline.logBucketId,
    logDatasetId: logPipeline.datasetId,
    // What the promotion gate compares with a passing staging smoke run (lambdas/contract/release.ts).
    release: pulumi
      .all([
        ...jobNames.map((job) =>
          jobs.jobs[job].releaseIdentity.apply((identity): [string, ReleaseIdentity] => [job, identity]),
        ),
        logPipeline.shipperReleaseIdentity.apply((identity): [string, ReleaseIdentity] => ["shipper", identity]),
      ])
      .apply((entries) => Object.fromEntries(entries)),
  };
}

function unreachableSigner(): never {
  throw new Error("the signer config names no active generation"); // signerGenerations always includes config.signer.generation
}
