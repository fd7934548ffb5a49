import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ethereumAddressFromSpki } from "../definitions/signer-address";

/**
 * The kit's Pulumi mocks: deterministic stand-ins for what the cloud computes
 * (ARNs, ids, IPs, public keys) and for the provider functions the program
 * calls. `evaluate.ts` runs the program against them.
 */

/**
 * The account the mocks deploy to: the committed stacks' example account (their
 * aws:allowedAccountIds), so account-wide ARNs in config and in the program agree.
 */
export const mockAccountId = "123456789012";
/** The GCP project number the mocks make up. */
export const mockProjectNumber = "100000000001";

/** A stable fake id, so two evaluations of the same stack compare equal. */
function fakeId(type: string, name: string): string {
  return createHash("sha256").update(`${type}::${name}`).digest("hex").slice(0, 16);
}

/** The mock stand-ins for cloud-computed outputs that components read (ARNs, ids, IPs, keys). */
function computedState(args: pulumi.runtime.MockResourceArgs, region: string): Record<string, unknown> {
  const id = fakeId(args.type, args.name);
  const [provider, module] = args.type.split(":");
  const service = (module ?? "").split("/")[0] ?? "";
  const physicalName = typeof args.inputs.name === "string" ? args.inputs.name : `${args.name}-${id.slice(0, 7)}`;
  const state: Record<string, unknown> = { name: physicalName, ...args.inputs };
  if (provider === "aws") {
    state.arn = `arn:aws:${service}:${region}:${mockAccountId}:${physicalName}`;
  }
  switch (args.type) {
    case "aws:kms/key:Key":
      // Multi-Region keys have `mrk-` ids of 32 hex digits, the same in every region.
      state.keyId =
        args.inputs.multiRegion === true
          ? `mrk-${createHash("sha256").update(`${args.type}::${args.name}`).digest("hex").slice(0, 32)}`
          : id;
      state.arn = `arn:aws:kms:${String(args.inputs.region ?? region)}:${mockAccountId}:key/${String(state.keyId)}`;
      break;
    case "pulumi:pulumi:StackReference":
      // Offline there is no other stack to read: every output is unknown until a deploy.
      state.outputs = {};
      state.secretOutputNames = [];
      break;
    case "aws:kms/replicaKey:ReplicaKey": {
      // A replica shares its primary's key id; only the region in its ARN differs.
      const primaryKeyId =
        String(args.inputs.primaryKeyArn ?? "")
          .split("/")
          .pop() ?? id;
      state.keyId = primaryKeyId;
      state.arn = `arn:aws:kms:${String(args.inputs.region ?? region)}:${mockAccountId}:key/${primaryKeyId}`;
      break;
    }
    case "aws:iam/role:Role":
      state.arn = `arn:aws:iam::${mockAccountId}:role/${physicalName}`;
      break;
    case "aws:ec2/eip:Eip":
      // 203.0.113.0/24 is TEST-NET-3 (RFC 5737): never a real address.
      state.publicIp = `203.0.113.${(parseInt(id.slice(0, 2), 16) % 254) + 1}`;
      state.allocationId = `eipalloc-${id.slice(0, 12)}`;
      break;
    case "aws:sqs/queue:Queue":
      state.url = `https://sqs.${region}.amazonaws.com/${mockAccountId}/${physicalName}`;
      break;
    case "aws:kms/alias:Alias":
      state.arn = `arn:aws:kms:${String(args.inputs.region ?? region)}:${mockAccountId}:${physicalName}`;
      break;
    case "aws:lambda/function:Function":
      state.arn = `arn:aws:lambda:${region}:${mockAccountId}:function:${physicalName}`;
      state.invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${String(state.arn)}/invocations`;
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      state.arn = `arn:aws:logs:${region}:${mockAccountId}:log-group:${physicalName}`;
      break;
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      state.arn = `arn:aws:cloudwatch:${region}:${mockAccountId}:alarm:${physicalName}`;
      break;
    case "aws:cloudwatch/dashboard:Dashboard":
      state.dashboardArn = `arn:aws:cloudwatch::${mockAccountId}:dashboard/${String(args.inputs.dashboardName ?? physicalName)}`;
      break;
    case "aws:secretsmanager/secret:Secret":
      // Secrets Manager appends six random characters to a secret's ARN.
      state.arn = `arn:aws:secretsmanager:${region}:${mockAccountId}:secret:${physicalName}-${id.slice(0, 6)}`;
      break;
    case "aws:dynamodb/table:Table":
      state.arn = `arn:aws:dynamodb:${region}:${mockAccountId}:table/${physicalName}`;
      break;
    case "aws:scheduler/schedule:Schedule":
      state.arn = `arn:aws:scheduler:${region}:${mockAccountId}:schedule/default/${physicalName}`;
      break;
    case "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration":
      state.chatConfigurationArn = `arn:aws:chatbot::${mockAccountId}:chat-configuration/slack-channel/${String(args.inputs.configurationName ?? physicalName)}`;
      break;
    case "aws:sns/topic:Topic":
      state.arn = `arn:aws:sns:${region}:${mockAccountId}:${physicalName}`;
      break;
    case "aws:ec2/vpc:Vpc":
      state.defaultSecurityGroupId = `sg-${id.slice(0, 8)}`;
      break;
    case "random:index/randomBytes:RandomBytes": {
      // Deterministic stand-in bytes; the real provider draws them from a CSPRNG.
      const length = Number(args.inputs.length ?? 32);
      const bytes = Buffer.alloc(length);
      for (let offset = 0; offset < length; offset += 32) {
        createHash("sha256").update(`${args.name}:${offset}`).digest().copy(bytes, offset);
      }
      state.base64 = bytes.toString("base64");
      state.hex = bytes.toString("hex");
      break;
    }
    case "gcp:serviceaccount/account:Account":
      state.email = `${String(args.inputs.accountId ?? physicalName)}@mock-project.iam.gserviceaccount.com`;
      break;
    case "gcp:logging/projectSink:ProjectSink":
      // A unique writer identity is a per-sink service account Google creates.
      state.writerIdentity = `serviceAccount:service-100000000001@gcp-sa-logging-${id.slice(0, 6)}.iam.gserviceaccount.com`;
      break;
    default:
      break;
  }
  return state;
}

/**
 * A deterministic secp256k1 public key (SPKI DER, base64) per KMS key id, in
 * the shape KMS's GetPublicKey returns. The point is derived from the key id's
 * hash, so each mock key has its own stable Ethereum address.
 */
export function mockPublicKeyFor(keyId: string): string {
  // SPKI header for an uncompressed secp256k1 point (id-ecPublicKey, secp256k1).
  const spkiPrefix = "3056301006072a8648ce3d020106052b8104000a034200";
  const point = privateKeyToAccount(keccak256(toHex(`mock-kms-key:${keyId}`))).publicKey.slice(2);
  return Buffer.from(`${spkiPrefix}${point}`, "hex").toString("base64");
}

/** Computed outputs by `type::name`, as `newResource` returned them. */
export type ComputedOutputs = Map<string, Record<string, unknown>>;

export interface KitMockOptions {
  /** What GetCallerIdentity returns: the entrypoint tests pass a deployer's session ARN. */
  readonly callerArn?: string;
  /** The account's applied Lambda concurrency quota (AWS's default: 1000; new accounts start at 10). */
  readonly lambdaConcurrencyQuota?: number;
  /** Collects every made-up value the mocks return (see `StackEvaluation.fabricated`). */
  readonly fabricated?: Set<string>;
}

/** Strings of at least 8 characters in `value`: shorter ones would match ordinary words. */
function collectStrings(value: unknown, into: Set<string> | undefined): void {
  if (!into) return;
  if (typeof value === "string") {
    if (value.length >= 8) into.add(value);
  } else if (Array.isArray(value)) {
    value.forEach((inner) => collectStrings(inner, into));
  } else if (value !== null && typeof value === "object") {
    Object.values(value).forEach((inner) => collectStrings(inner, into));
  }
}

/** The kit's Pulumi mocks: stand-ins for the cloud's computed outputs and invokes. */
export function kitMocks(
  region: string,
  computed: ComputedOutputs = new Map(),
  options: KitMockOptions = {},
): pulumi.runtime.Mocks {
  const { fabricated } = options;
  // The account is config (aws:allowedAccountIds), not made up; the ids and names around it are.
  fabricated?.add(mockProjectNumber);
  const call = callMock(region, options);
  return {
    newResource: (args) => {
      const id = fakeId(args.type, args.name);
      const state = computedState(args, region);
      const made = { id, ...Object.fromEntries(Object.entries(state).filter(([key]) => !(key in args.inputs))) };
      computed.set(`${args.type}::${args.name}`, made);
      collectStrings(made, fabricated);
      return { id, state };
    },
    call: (args) => {
      const result = call(args);
      if (args.token === "aws:kms/getPublicKey:getPublicKey") {
        fabricated?.add(ethereumAddressFromSpki(String(result.publicKey)));
        collectStrings(result.publicKey, fabricated);
      } else if (
        ![
          "aws:index/getRegion:getRegion",
          "aws:index/getPartition:getPartition",
          "aws:index/getAvailabilityZones:getAvailabilityZones",
        ].includes(args.token)
      ) {
        collectStrings(Object.fromEntries(Object.entries(result).filter(([key]) => !(key in args.inputs))), fabricated);
      }
      return result;
    },
  };
}

function callMock(
  region: string,
  options: KitMockOptions,
): (args: pulumi.runtime.MockCallArgs) => Record<string, unknown> {
  return (args) => {
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity": {
        const arn = options.callerArn ?? `arn:aws:iam::${mockAccountId}:user/mock`;
        return { accountId: /::([0-9]{12}):/.exec(arn)?.[1] ?? mockAccountId, arn, userId: "AIDAMOCKCALLER" };
      }
      case "aws:servicequotas/getServiceQuota:getServiceQuota":
        return { ...args.inputs, value: options.lambdaConcurrencyQuota ?? 1000, adjustable: true, defaultValue: 1000 };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, id: region };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com" };
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        // Zone ids as AWS forms them (eu-west-1 -> euw1-az1); names map to ids differently in every account.
        const prefix = region.replace(/^([a-z]{2})-([a-z])[a-z]*-([0-9])$/, "$1$2$3");
        return {
          names: ["a", "b", "c"].map((suffix) => `${region}${suffix}`),
          zoneIds: [1, 2, 3].map((n) => `${prefix}-az${n}`),
        };
      }
      case "aws:kms/getPublicKey:getPublicKey": {
        const keyId = String(args.inputs.keyId);
        return {
          keyId,
          publicKey: mockPublicKeyFor(keyId),
          customerMasterKeySpec: "ECC_SECG_P256K1",
          keySpec: "ECC_SECG_P256K1",
          keyUsage: "SIGN_VERIFY",
          signingAlgorithms: ["ECDSA_SHA_256"],
        };
      }
      case "gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount":
        return {
          email: "bq-100000000001@bigquery-encryption.iam.gserviceaccount.com",
          member: "serviceAccount:bq-100000000001@bigquery-encryption.iam.gserviceaccount.com",
        };
      case "gcp:organizations/getProject:getProject":
        return { number: mockProjectNumber, projectId: String(args.inputs.projectId ?? "mock-project") };
      default:
        return args.inputs;
    }
  };
}
