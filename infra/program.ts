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
import { State } from "./components/state";
import { StorefrontCsp } from "./components/storefront-csp";
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

  const roles = new JobRoles("job-roles", {
    jobs: jobNames.map((job) => ({ name: job, scheduled: jobCatalog[job].schedule !== undefined })),
  });
  const roleArns = (jobs: readonly (typeof jobNames)[number][]) => jobs.map((job) => roles.executionRoleArn(job));

  const state = new State("state", {
    region,
    administrators,
    users: {
      idempotency: roleArns(jobsWhere((spec) => spec.uses.idempotencyTable === true)),
      events: roleArns(jobsWhere((spec) => spec.uses.eventsTable === true)),
      checkpoints: roleArns(jobsWhere((spec) => spec.uses.checkpointsTable === true)),
    },
  });

  const egress = new RpcEgress("rpc-egress", {
    availabilityZoneCount: config.aws.availabilityZones,
    region,
    rpc: config.rpc,
    administrators,
    readers: roleArns(jobNames),
  });

  const signer = new Signer("assistant-signer", {
    signingRole: "assistant",
    aliasName: `alias/${config.project}/${config.stack}/assistant`,
    administrators,
    signers: roleArns(jobsWhere((spec) => spec.uses.signer === "sign")),
    publicKeyReaders: roleArns(jobsWhere((spec) => spec.uses.signer === "publicKey")),
    signThroughEndpoint: egress.endpoints.kms,
  });

  const webhooks = new Webhooks("webhooks", {
    region,
    endpoints: config.webhooks.endpoints,
    administrators,
    signers: roleArns(jobsWhere((spec) => spec.uses.webhookSecret === true)),
    readThroughEndpoint: egress.endpoints.secretsManager,
  });

  const jobs = new Jobs("jobs", {
    region,
    administrators,
    roles,
    schedules: config.schedules,
    logRetentionDays: config.logRetentionDays,
    configEnvironment: configEnvironment(config),
    signer: { keyId: signer.keyId, keyArn: signer.keyArn, address: signer.address },
    rpcSecretArn: egress.secretArn,
    tables: { idempotency: state.idempotencyTable, events: state.eventsTable, checkpoints: state.checkpointsTable },
    webhooks: { secretArn: webhooks.secretArn, endpointsJson: webhooks.endpointsJson },
    smoke: config.smoke,
    network: { subnetIds: egress.privateSubnetIds, securityGroupIds: [egress.jobSecurityGroupId] },
    endpoints: egress.endpoints,
    releaseJson: pulumi.output(stackRelease()).apply((release) => JSON.stringify(release)),
  });

  const alerts = new Alerts("alerts", {
    stack: config.stack,
    region,
    gas: config.gas,
    subgraphMaxLagBlocks: config.subgraph.maxLagBlocks,
    schedules: config.schedules,
    administrators,
    subscriptions: config.alerts,
    jobs: jobNames.map((job) => ({ job, functionName: jobs.jobs[job].function.name, queueName: jobs.jobs[job].deadLetterQueue.name })),
  });

  const signingJobs = jobsWhere((spec) => spec.uses.signer === "sign");
  new ChangeWatch("change-watch", {
    region,
    trail: config.changeWatch.trail,
    topicArn: alerts.topicArn,
    signerKey: { keyId: signer.keyId, keyArn: signer.keyArn, aliasName: signer.aliasName },
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
  });

  const storefront = new StorefrontCsp("storefront-csp");

  const logPipeline = new LogPipeline("log-pipeline", {
    stack: config.stack,
    configId: config.configId,
    awsRegion: region,
    gcp: config.gcp,
    logRetentionDays: config.logRetentionDays,
    administrators,
    jobLogGroups: jobNames.map((job) => ({ job, logGroupName: jobs.jobs[job].logGroup.name, logGroupArn: jobs.jobs[job].logGroup.arn })),
    network: { subnetIds: egress.privateSubnetIds, securityGroupIds: [egress.jobSecurityGroupId] },
  });

  return {
    configId: config.configId,
    chainId: config.chain.id,
    protocolDiamond: config.protocol.diamond,
    assistantKeyId: signer.keyId,
    assistantKeyArn: signer.keyArn,
    assistantKeyAlias: signer.aliasName,
    assistantAddress: signer.address,
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
    release: pulumi.all([
      ...jobNames.map((job) => jobs.jobs[job].releaseIdentity.apply((identity): [string, ReleaseIdentity] => [job, identity])),
      logPipeline.shipperReleaseIdentity.apply((identity): [string, ReleaseIdentity] => ["shipper", identity]),
    ]).apply((entries) => Object.fromEntries(entries)),
  };
}
