/**
 * The state of a pretend AWS account that the protocol stand-ins
 * (aws-query-endpoint, aws-json-endpoint, aws-rest-json-endpoint) answer
 * from: one account, three wire formats, as with the real services.
 */
export interface FakeRole {
  readonly name: string;
  readonly path: string;
  /** Unique id (AROA...); a role deleted and recreated under the same name gets a new one. */
  readonly roleId: string;
}

export interface FakeUser {
  readonly name: string;
  readonly path: string;
  readonly userId: string;
}

export interface FakeZone {
  readonly zoneName: string;
  readonly zoneId: string;
  readonly state: "available" | "impaired" | "unavailable";
  readonly optInStatus: "opt-in-not-required" | "opted-in" | "not-opted-in";
  readonly zoneType: "availability-zone" | "local-zone" | "wavelength-zone";
}

export interface FakeTrail {
  readonly name: string;
  readonly homeRegion: string;
  readonly multiRegion: boolean;
  readonly logging: boolean;
  /** Basic selectors, as GetEventSelectors returns them. */
  readonly eventSelectors?: readonly Record<string, unknown>[];
  readonly advancedEventSelectors?: readonly Record<string, unknown>[];
}

export interface FakeKey {
  readonly alias: string;
  readonly keyId: string;
  /** The policy document as GetKeyPolicy returns it: ARNs of live principals, unique ids of deleted ones. */
  readonly policy: string;
  /** GetPublicKey's answer: the key's SubjectPublicKeyInfo, base64 DER. */
  readonly publicKey?: string;
}

export interface FakeAwsAccount {
  readonly account: string;
  readonly region: string;
  /** What GetCallerIdentity answers. */
  caller: { arn: string; userId: string };
  roles: FakeRole[];
  users: FakeUser[];
  zones: FakeZone[];
  /** Allocated Elastic IPs. */
  addresses: { publicIp: string; allocationId: string }[];
  /** Applied quota values by `service/code`; absent means never changed (Service Quotas then has no applied value). */
  appliedQuotas: Record<string, number>;
  defaultQuotas: Record<string, number>;
  lambda: { concurrentExecutions: number; unreservedConcurrentExecutions: number };
  trails: FakeTrail[];
  keys: FakeKey[];
  /** `service:Action` pairs the caller may not call (answered AccessDenied). */
  denied: Set<string>;
}

export const roleArn = (account: FakeAwsAccount, role: FakeRole) =>
  `arn:aws:iam::${account.account}:role${role.path}${role.name}`;
export const userArn = (account: FakeAwsAccount, user: FakeUser) =>
  `arn:aws:iam::${account.account}:user${user.path}${user.name}`;
export const trailArn = (account: FakeAwsAccount, trail: FakeTrail) =>
  `arn:aws:cloudtrail:${trail.homeRegion}:${account.account}:trail/${trail.name}`;

/** Request ids in the AWS format (a UUID), new per reply. */
export const requestId = () => crypto.randomUUID();
