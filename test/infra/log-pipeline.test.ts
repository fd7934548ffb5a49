import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parseKitConfig } from "../../infra/config";
import { LogPipeline } from "../../infra/components/log-pipeline";
import { bigQueryTable, logPipelineNames } from "../../infra/definitions/gcp-names";
import { evaluateProgram, type RecordedResource, type StackEvaluation } from "../../infra/offline/evaluate";
import { mockAccountId } from "../../infra/offline/mocks";
import { resourceTypes as types } from "../../infra/offline/resource-types";
import { readStackFile } from "../../infra/offline/stack-file";
import { committedStacks, committedStackEvaluations, named, ofType, parentOf } from "./stack-evaluation";

/** GCP IAM resources of any kind: every one must name the shipper only. */
const gcpIamTypes = /^gcp:.*(iAMMember|iAMBinding|iAMPolicy|IamMember|IamBinding|IamPolicy|DatasetAccess):/;

const stacks = committedStackEvaluations();

function one(evaluation: StackEvaluation, type: string): RecordedResource {
  const found = ofType(evaluation, type);
  expect(found, `${type} in ${evaluation.config.stack}`).toHaveLength(1);
  return found[0] as RecordedResource;
}

function ancestors(evaluation: StackEvaluation, resource: RecordedResource): RecordedResource[] {
  const chain: RecordedResource[] = [];
  for (let parent = parentOf(evaluation, resource); parent; parent = parentOf(evaluation, parent)) chain.push(parent);
  return chain;
}

const shipperRole = (evaluation: StackEvaluation) => named(evaluation, types.role, "log-pipeline-shipper-role");
const shipperFunction = (evaluation: StackEvaluation) =>
  named(evaluation, types.function, "log-pipeline-shipper-function");

describe.each(committedStacks)("log pipeline in %s", (stack) => {
  const evaluation = () => stacks[stack];

  it("declares the GCP side: WIF pool and AWS provider, writer service account, Log Analytics bucket, BigQuery dataset and sinks, metrics", () => {
    const { config } = evaluation();
    const names = logPipelineNames(stack, config.gcp);
    expect(one(evaluation(), types.pool).inputs).toMatchObject({
      project: config.gcp.project,
      workloadIdentityPoolId: names.poolId,
    });
    expect(one(evaluation(), types.poolProvider).inputs).toMatchObject({
      aws: { accountId: mockAccountId },
      workloadIdentityPoolProviderId: names.providerId,
    });
    expect(one(evaluation(), types.serviceAccount).inputs).toMatchObject({ accountId: names.serviceAccountId });
    expect(one(evaluation(), types.bucket).inputs).toMatchObject({
      bucketId: names.bucketId,
      location: config.gcp.region,
      enableAnalytics: true,
      retentionDays: config.logRetentionDays,
    });
    const dataset = one(evaluation(), types.dataset);
    expect(dataset.inputs).toMatchObject({ datasetId: names.datasetId, location: config.gcp.region });
    // No CMK configured on the committed stacks: Google-managed encryption, no access list (so nothing public).
    expect(dataset.inputs.defaultEncryptionConfiguration).toBeUndefined();
    expect(dataset.inputs.accesses).toBeUndefined();

    const sinks = ofType(evaluation(), types.sink);
    expect(sinks.map((sink) => String(sink.inputs.destination)).sort()).toEqual(
      [
        `bigquery.googleapis.com/projects/${config.gcp.project}/datasets/${names.datasetId}`,
        `logging.googleapis.com/projects/${config.gcp.project}/locations/${config.gcp.region}/buckets/${names.bucketId}`,
      ].sort(),
    );
    for (const sink of sinks)
      expect(sink.inputs.filter).toBe(`logName="projects/${config.gcp.project}/logs/${names.logId}"`);
    expect(bigQueryTable(config.gcp, stack)).toBe(
      `${config.gcp.project}.${names.datasetId}.${names.logId.replace(/-/g, "_")}`,
    );

    const metricFilters = ofType(evaluation(), types.logMetric).map((metric) => String(metric.inputs.filter));
    expect(metricFilters).toHaveLength(2);
    expect(
      metricFilters.some((filter) => filter.includes('labels.job="watcher" AND jsonPayload.alert="dispute-raised"')),
    ).toBe(true);
    expect(
      metricFilters.some((filter) => filter.includes('labels.job="withdraw" AND jsonPayload.WithdrawnAmountWei>0')),
    ).toBe(true);
  });

  it("keeps the shipped entries out of the _Default sink, so their ingestion is paid once", () => {
    const { config } = evaluation();
    const exclusions = ofType(evaluation(), "gcp:logging/projectExclusion:ProjectExclusion");
    expect(exclusions).toHaveLength(1);
    // The same filter as the kit's own sinks: exactly the shipper's entries, nothing else the project logs.
    expect(exclusions[0]?.inputs).toMatchObject({
      project: config.gcp.project,
      filter: `logName="projects/${config.gcp.project}/logs/${logPipelineNames(stack, config.gcp).logId}"`,
    });
    expect(exclusions[0]?.inputs.disabled).not.toBe(true);
  });

  it("exports to one table partitioned on the entries' timestamp, which the replay query filters on (not date-sharded tables)", () => {
    const bigQuerySink = ofType(evaluation(), types.sink).find((sink) =>
      String(sink.inputs.destination).startsWith("bigquery."),
    );
    // Without it Cloud Logging writes a dated table per day (<log>_YYYYMMDD) and the replay's single table is not there.
    expect(bigQuerySink?.inputs.bigqueryOptions).toEqual({ usePartitionedTables: true });
  });

  it("grants the sink's writer identity only on the replay dataset", () => {
    const bigQuerySink = ofType(evaluation(), types.sink).find((sink) =>
      String(sink.inputs.destination).startsWith("bigquery."),
    );
    const writer = bigQuerySink?.computed?.writerIdentity;
    expect(writer).toMatch(/^serviceAccount:/);
    const grants = ofType(evaluation(), types.datasetIam);
    expect(grants).toHaveLength(1);
    expect(grants[0]?.inputs).toMatchObject({
      datasetId: logPipelineNames(stack, evaluation().config.gcp).datasetId,
      role: "roles/bigquery.dataEditor",
      member: writer,
    });
    const elsewhere = evaluation().resources.filter(
      (resource) =>
        gcpIamTypes.test(resource.type) && resource.inputs.member === writer && resource.type !== types.datasetIam,
    );
    expect(elsewhere).toEqual([]);
  });

  it("lets only the shipper's AWS role impersonate a service account whose one role is logging.logWriter", () => {
    const roleName = shipperRole(evaluation()).computed?.name;
    expect(typeof roleName).toBe("string");
    const assumedRole = `arn:aws:sts::${mockAccountId}:assumed-role/${String(roleName)}`;
    const names = logPipelineNames(stack, evaluation().config.gcp);

    expect(one(evaluation(), types.poolProvider).inputs.attributeCondition).toBe(
      `attribute.aws_role == "${assumedRole}"`,
    );

    const serviceAccount = one(evaluation(), types.serviceAccount);
    const email = `serviceAccount:${String(serviceAccount.computed?.email)}`;
    const projectGrants = ofType(evaluation(), types.projectIam).filter((grant) => grant.inputs.member === email);
    expect(projectGrants.map((grant) => grant.inputs.role)).toEqual(["roles/logging.logWriter"]);

    const impersonation = ofType(evaluation(), types.serviceAccountIam);
    expect(impersonation).toHaveLength(1);
    expect(impersonation[0]?.inputs).toMatchObject({
      role: "roles/iam.workloadIdentityUser",
      serviceAccountId: serviceAccount.computed?.name,
      member: `principalSet://iam.googleapis.com/projects/100000000001/locations/global/workloadIdentityPools/${names.poolId}/attribute.aws_role/${assumedRole}`,
    });

    // Every GCP IAM grant that names an AWS principal names the shipper's role, and no job role appears anywhere on the GCP side.
    const jobRoleNames = ofType(evaluation(), types.role)
      .filter((role) => role.name !== "log-pipeline-shipper-role")
      .map((role) => String(role.computed?.name));
    const gcpSide = evaluation().resources.filter((resource) => resource.type.startsWith("gcp:"));
    for (const resource of gcpSide) {
      const text = JSON.stringify(resource.inputs);
      for (const other of jobRoleNames) expect(text, `${resource.name} names ${other}`).not.toContain(other);
      if (text.includes("principalSet://") || text.includes("principal://"))
        expect(text).toContain(`attribute.aws_role/${assumedRole}`);
    }
  });

  it("declares no service-account key, and the shipper's credential configuration holds none", () => {
    expect(ofType(evaluation(), types.serviceAccountKey)).toEqual([]);
    const fn = shipperFunction(evaluation());
    const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
    const credential = JSON.parse(String(variables.GCP_CREDENTIAL_CONFIG)) as Record<string, unknown>;
    const names = logPipelineNames(stack, evaluation().config.gcp);
    expect(credential).toMatchObject({
      type: "external_account",
      audience: `//iam.googleapis.com/projects/100000000001/locations/global/workloadIdentityPools/${names.poolId}/providers/${names.providerId}`,
      subject_token_type: "urn:ietf:params:aws:token-type:aws4_request",
      credential_source: { environment_id: "aws1" },
    });
    expect(String(credential.service_account_impersonation_url)).toContain(
      String(one(evaluation(), types.serviceAccount).computed?.email),
    );
    expect(JSON.stringify(credential)).not.toMatch(/private_key|client_secret|refresh_token/);
    expect(fn.secretInputs.filter((path) => path.includes("GCP_CREDENTIAL_CONFIG"))).toEqual([]);
    expect(variables).toMatchObject({
      GCP_PROJECT: evaluation().config.gcp.project,
      GCP_LOG_NAME: names.logId,
      KIT_STACK: stack,
      CONFIG_ID: evaluation().config.configId,
    });
  });

  it("runs the shipper like the jobs: nodejs22.x on arm64, traced, dead-lettered, retried twice, in the private subnets, with encrypted logs", () => {
    const fn = shipperFunction(evaluation());
    expect(fn.inputs).toMatchObject({
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      tracingConfig: { mode: "Active" },
    });
    expect((fn.inputs.deadLetterConfig as { targetArn?: string }).targetArn).toMatch(/^arn:aws:sqs:/);
    expect((fn.inputs.vpcConfig as { subnetIds: string[] }).subnetIds.length).toBeGreaterThan(0);
    const logGroup = named(evaluation(), types.logGroup, "log-pipeline-shipper-logs");
    expect(logGroup.inputs.retentionInDays).toBe(evaluation().config.logRetentionDays);
    expect(String(logGroup.inputs.kmsKeyId)).toMatch(/^arn:aws:kms:/);
    expect(
      named(
        evaluation(),
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "log-pipeline-shipper-async",
      ).inputs.maximumRetryAttempts,
    ).toBe(2);
  });

  it("subscribes every job's log group (and never the shipper's own) to the shipper", () => {
    const fnArn = shipperFunction(evaluation()).computed?.arn;
    const jobLogGroups = ofType(evaluation(), types.logGroup).filter((group) => group.name.endsWith("-job-logs"));
    expect(jobLogGroups.map((group) => group.name).sort()).toEqual([
      "health-job-logs",
      "smoke-job-logs",
      "watcher-job-logs",
      "withdraw-job-logs",
    ]);
    const subscriptions = ofType(evaluation(), types.logSubscription);
    expect(subscriptions.map((subscription) => subscription.inputs.logGroup).sort()).toEqual(
      jobLogGroups.map((group) => group.computed?.name).sort(),
    );
    for (const subscription of subscriptions) {
      expect(subscription.inputs).toMatchObject({ destinationArn: fnArn, filterPattern: "" });
    }
    const ownGroup = named(evaluation(), types.logGroup, "log-pipeline-shipper-logs").computed?.name;
    expect(subscriptions.map((subscription) => subscription.inputs.logGroup)).not.toContain(ownGroup);

    const permissions = ofType(evaluation(), types.permission).filter((permission) =>
      String(permission.inputs.principal).startsWith("logs."),
    );
    expect(permissions.map((permission) => permission.inputs.sourceArn).sort()).toEqual(
      jobLogGroups.map((group) => `${String(group.computed?.arn)}:*`).sort(),
    );
  });

  it("parents every pipeline resource to the LogPipeline component", () => {
    const pipeline = one(evaluation(), types.logPipeline);
    const mine = evaluation().resources.filter(
      (resource) =>
        resource.type.startsWith("gcp:") ||
        resource.type === types.logSubscription ||
        resource.name.startsWith("log-pipeline-"),
    );
    expect(mine.length).toBeGreaterThan(20);
    for (const resource of mine) {
      if (resource.urn === pipeline.urn) continue;
      expect(
        ancestors(evaluation(), resource).map((ancestor) => ancestor.urn),
        resource.name,
      ).toContain(pipeline.urn);
    }
  });
});

describe("log pipeline with a BigQuery CMK", () => {
  it("encrypts the dataset with the configured key and lets BigQuery's service agent use it", async () => {
    const base = parseKitConfig(readStackFile("production"));
    const kmsKey = "projects/boson-kit-production/locations/europe-west1/keyRings/logs/cryptoKeys/bigquery";
    const config = { ...base, gcp: { ...base.gcp, bigQueryKmsKeyName: kmsKey } };
    const evaluation = await evaluateProgram(config, (kit) => {
      const pipeline = new LogPipeline("log-pipeline", {
        stack: kit.stack,
        configId: kit.configId,
        awsRegion: kit.aws.region,
        gcp: kit.gcp,
        logRetentionDays: kit.logRetentionDays,
        administrators: kit.aws.kmsAdministrators,
        deployers: kit.aws.deployers,
        jobLogGroups: [
          {
            job: "withdraw",
            logGroupName: "withdraw-logs",
            logGroupArn: `arn:aws:logs:${kit.aws.region}:${mockAccountId}:log-group:withdraw-logs`,
          },
        ],
        network: { subnetIds: [pulumi.output("subnet-a")], securityGroupIds: [pulumi.output("sg-a")] },
      });
      return { dataset: pipeline.datasetId };
    });
    expect(one(evaluation, types.dataset).inputs.defaultEncryptionConfiguration).toEqual({ kmsKeyName: kmsKey });
    expect(one(evaluation, types.cryptoKeyIam).inputs).toMatchObject({
      cryptoKeyId: kmsKey,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:bq-100000000001@bigquery-encryption.iam.gserviceaccount.com",
    });
    expect(ofType(evaluation, types.serviceAccountKey)).toEqual([]);
  });
});
