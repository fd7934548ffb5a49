/**
 * The pinned-address preflight check against the AWS stand-in: the key the
 * stack's alias names (its public key read with the real KMS client) against
 * `boson-kit:signer.address`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseKitConfig } from "../../../infra/config";
import { ethereumAddressFromSpki } from "../../../infra/definitions/signer-address";
import { mockPublicKeyFor } from "../../../infra/offline/mocks";
import { readStackFile } from "../../../infra/offline/stack-file";
import { pinnedSignerAddress } from "../../../tools/preflight/pinned-address";
import { runCheck } from "../../../tools/preflight/run";
import {
  deployerArn,
  healthyAccount,
  keyAdminArn,
  signerAlias,
  signerPolicy,
  stagingConfig,
  startPreflightWorld,
  type PreflightWorld,
} from "../../harness/preflight-world";

let world: PreflightWorld;
const keyId = "mrk-0123456789abcdef0123456789abcdef";
const publicKey = mockPublicKeyFor(keyId);
const keyAddress = ethereumAddressFromSpki(publicKey);
const otherAddress = "0x00000000000000000000000000000000000000aa";

beforeAll(async () => {
  world = await startPreflightWorld();
});
afterEach(() => {
  Object.assign(world.account, healthyAccount());
});
afterAll(async () => {
  await world?.close();
});

function deployKey(): void {
  world.account.keys = [{ alias: signerAlias, keyId, policy: signerPolicy([keyAdminArn, deployerArn]), publicKey }];
}

const check = (config = stagingConfig()) => runCheck(pinnedSignerAddress, world.context({ config }));
const pinned = (address: string) => stagingConfig({ "boson-kit:signer": { address } });

describe("pinned signer address", () => {
  it("before the first deploy, says how to pin the address afterwards", async () => {
    const [result] = await check();
    expect(result).toMatchObject({ status: "info" });
    expect(result?.detail).toContain(
      `pulumi config set --path 'boson-kit:signer.address' "$(pulumi stack output assistantAddress --stack staging)" --stack staging`,
    );
  });

  it("passes when the key behind the alias is the pinned address", async () => {
    deployKey();
    expect(await check(pinned(keyAddress.toLowerCase()))).toEqual([
      {
        check: "pinned signer address",
        status: "pass",
        detail: `the key behind ${signerAlias} is the pinned ${keyAddress}`,
      },
    ]);
  });

  it("fails when the alias names another key than the pinned one, before a deploy would leave the jobs refusing to sign", async () => {
    deployKey();
    const [result] = await check(pinned(otherAddress));
    expect(result?.status).toBe("fail");
    expect(result?.detail).toBe(
      `the key behind ${signerAlias} is ${keyAddress}, but the stack pins ${otherAddress}: every signing job would refuse to sign`,
    );
    expect(result?.fix).toContain("npm run rotate-signer");
  });

  it("fails a pin with no key in this account and region", async () => {
    const [result] = await check(pinned(otherAddress));
    expect(result).toMatchObject({
      status: "fail",
      fix: "check the AWS account and aws:region: the pinned key lives elsewhere",
    });
  });

  it("once deployed, prints the pinning command with the key's address; a production stack must pin it", async () => {
    deployKey();
    const command = `pulumi config set --path 'boson-kit:signer.address' ${keyAddress} --stack`;
    const [staging] = await check();
    expect(staging?.status).toBe("info");
    expect(staging?.detail).toContain(`${command} staging`);
    const production = parseKitConfig(readStackFile("production"));
    const [result] = await check(production);
    expect(result).toMatchObject({ status: "fail", fix: `${command} production` });
  });
});
