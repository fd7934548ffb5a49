/**
 * Two KMS endpoints standing in for a multi-Region key's primary and replica
 * regions: the same `mrk-` key id and the same key material on both, each
 * under its own region's ARN, so one can be stopped as in a regional outage.
 */
import { randomBytes } from "node:crypto";
import { bytesToHex } from "viem";
import { startKmsEndpoint, type KmsEndpoint } from "./kms-endpoint";

export type MultiRegionKms = {
  primary: KmsEndpoint;
  replica: KmsEndpoint;
  /** The shared `mrk-` key id. */
  keyId: string;
  primaryArn: string;
  replicaArn: string;
  close(): Promise<void>;
};

/** Starts both endpoints and seeds one freshly generated secp256k1 key into each. */
export async function startMultiRegionKms(
  regions: { primary: string; replica: string } = { primary: "eu-west-1", replica: "eu-central-1" },
): Promise<MultiRegionKms> {
  const primary = await startKmsEndpoint({ region: regions.primary });
  const replica = await startKmsEndpoint({ region: regions.replica });
  const keyId = `mrk-${randomBytes(16).toString("hex")}`;
  // Generated per run: no key material is ever committed.
  const privateKey = bytesToHex(randomBytes(32)).slice(2);
  const primaryKey = primary.createKey({ keyId, privateKey });
  const replicaKey = replica.createKey({ keyId, privateKey });
  return {
    primary,
    replica,
    keyId,
    primaryArn: primaryKey.arn,
    replicaArn: replicaKey.arn,
    close: async () => {
      await Promise.all([primary.close(), replica.close()]);
    },
  };
}
