/**
 * Wiring shared by the job handlers: the environment, logger, metrics, RPC
 * secret, chain clients, KMS account and idempotency store are built once per
 * cold start; each job's logic is a plain function taking them as
 * dependencies (so tests drive the real logic against local peers).
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { createReadClients, createWriteClients, type ReadClients, type WriteClients } from "../chain/clients";
import { readJobEnvironment, type JobEnvironment } from "./environment";
import { signerAccount } from "./signer-account";
import { standbyFence, type StandbyFence } from "./standby-fence";
import { createJobLogger } from "./logger";
import { createJobMetrics, type JobMetrics } from "./metrics";
import { type JobName } from "../../contract";
import { relayerFor, type Relayer } from "../chain/relayer";
import { readRpcSecret } from "../chain/rpc-secret";

export type JobRuntime = {
  env: JobEnvironment;
  logger: Logger;
  metrics: JobMetrics;
  read: ReadClients;
  /** Present when KEY_ID is set: the wallet signs through KMS. */
  write?: WriteClients;
  relayer?: Relayer;
  /** On a stack with a replica, for the jobs that sign: the standby stack's switch, looked at before each run. */
  standbyFence?: StandbyFence;
};

const runtimes = new Map<JobName, Promise<JobRuntime>>();

/** Builds (once per process) everything a job needs from its environment. */
export function loadJobRuntime(job: JobName, env: NodeJS.ProcessEnv = process.env): Promise<JobRuntime> {
  let pending = runtimes.get(job);
  if (!pending) {
    pending = buildRuntime(job, env);
    runtimes.set(job, pending);
    pending.catch(() => runtimes.delete(job));
  }
  return pending;
}

async function buildRuntime(job: JobName, processEnv: NodeJS.ProcessEnv): Promise<JobRuntime> {
  const env = readJobEnvironment(processEnv);
  const logger = createJobLogger(job, { configId: env.CONFIG_ID, stack: env.KIT_STACK });
  const metrics = createJobMetrics(job, env.KIT_STACK);
  const urls = await readRpcSecret({ secretArn: env.RPC_SECRET_ARN, logger });
  const clientOptions = { chainId: env.CHAIN_ID, urls, logger };
  if (env.RELAYER && !urls.relayerApiKey)
    throw new Error(
      "RELAYER is set but the RPC secret has no relayerApiKey: set the relayerApiKey secret config value",
    );
  const relayer =
    env.RELAYER && urls.relayerApiKey ? relayerFor({ ...env.RELAYER, apiKey: urls.relayerApiKey }) : undefined;
  if (env.KEY_ID === undefined)
    return { env, logger, metrics, read: createReadClients(clientOptions), ...(relayer ? { relayer } : {}) };
  const account = await signerAccount({
    keyId: env.KEY_ID,
    replicaKeyArn: env.REPLICA_KEY_ARN,
    pinnedAddress: env.SIGNER_PINNED_ADDRESS as `0x${string}` | undefined, // checked as an address by readJobEnvironment
    logger,
    metrics,
  });
  const write = createWriteClients({ ...clientOptions, account });
  const fence =
    env.REPLICA_KEY_ARN && env.STANDBY_FENCE_ALIAS
      ? standbyFence({ replicaKeyArn: env.REPLICA_KEY_ARN, aliasName: env.STANDBY_FENCE_ALIAS, logger, metrics })
      : undefined;
  return {
    env,
    logger,
    metrics,
    read: write,
    write,
    ...(relayer ? { relayer } : {}),
    ...(fence ? { standbyFence: fence } : {}),
  };
}

/** Adds the invocation's request id to the logger for this run. */
export function startInvocation(logger: Logger, context: Context | undefined): void {
  if (context) logger.addContext(context);
}
