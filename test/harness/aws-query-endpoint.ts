/**
 * A local stand-in for the AWS query-protocol services preflight reads: STS
 * (GetCallerIdentity), IAM (GetRole, GetUser) and EC2 (DescribeAddresses,
 * DescribeAvailabilityZones). Requests are form-encoded POSTs with Action and
 * Version; the service is taken from the SigV4 credential scope, as AWS
 * routes by host. Replies follow the documented XML: `<XResponse><XResult>`
 * for STS and IAM, the unwrapped lower-camel EC2 form with `<item>` lists,
 * and the two error envelopes (`<ErrorResponse><Error>` for query services,
 * `<Response><Errors><Error>` for EC2).
 */
import { requestId, roleArn, userArn, type FakeAwsAccount } from "./fake-aws-account";
import { sigV4Service, startLocalHttp, type LocalHttpServer, type Reply } from "./local-http";

const versions: Record<string, string> = { sts: "2011-06-15", iam: "2010-05-08", ec2: "2016-11-15" };
const namespaces: Record<string, string> = {
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
  iam: "https://iam.amazonaws.com/doc/2010-05-08/",
  ec2: "http://ec2.amazonaws.com/doc/2016-11-15/",
};

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const element = (name: string, value: string | number | boolean) => `<${name}>${escapeXml(String(value))}</${name}>`;
const xml = { "content-type": "text/xml" };

function queryReply(service: string, action: string, result: string): Reply {
  return {
    status: 200,
    headers: xml,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespaces[service]}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function queryError(service: string, status: number, code: string, message: string): Reply {
  return {
    status,
    headers: xml,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespaces[service]}"><Error><Type>Sender</Type>${element("Code", code)}${element("Message", message)}</Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
  };
}

function ec2Reply(action: string, body: string): Reply {
  return {
    status: 200,
    headers: xml,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespaces.ec2}"><requestId>${requestId()}</requestId>${body}</${action}Response>`,
  };
}

function ec2Error(status: number, code: string, message: string): Reply {
  return {
    status,
    headers: xml,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${element("Code", code)}${element("Message", message)}</Error></Errors><RequestID>${requestId()}</RequestID></Response>`,
  };
}

const created = "2026-01-05T10:00:00Z";

function sts(account: FakeAwsAccount, action: string): Reply {
  if (action !== "GetCallerIdentity") return queryError("sts", 400, "InvalidAction", `${action} is not served here`);
  return queryReply(
    "sts",
    action,
    element("Arn", account.caller.arn) + element("UserId", account.caller.userId) + element("Account", account.account),
  );
}

function iam(account: FakeAwsAccount, action: string, params: URLSearchParams): Reply {
  if (action === "GetRole") {
    const name = params.get("RoleName") ?? "";
    const role = account.roles.find((candidate) => candidate.name === name);
    if (!role) return queryError("iam", 404, "NoSuchEntity", `The role with name ${name} cannot be found.`);
    const trust = encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [] }));
    return queryReply(
      "iam",
      action,
      `<Role>${element("Path", role.path)}${element("Arn", roleArn(account, role))}${element("RoleName", role.name)}${element("AssumeRolePolicyDocument", trust)}${element("CreateDate", created)}${element("RoleId", role.roleId)}${element("MaxSessionDuration", 3600)}</Role>`,
    );
  }
  if (action === "GetUser") {
    const name = params.get("UserName") ?? "";
    const user = account.users.find((candidate) => candidate.name === name);
    if (!user) return queryError("iam", 404, "NoSuchEntity", `The user with name ${name} cannot be found.`);
    return queryReply(
      "iam",
      action,
      `<User>${element("Path", user.path)}${element("UserName", user.name)}${element("UserId", user.userId)}${element("Arn", userArn(account, user))}${element("CreateDate", created)}</User>`,
    );
  }
  return queryError("iam", 400, "InvalidAction", `${action} is not served here`);
}

function ec2(account: FakeAwsAccount, action: string, params: URLSearchParams): Reply {
  if (action === "DescribeAddresses") {
    const items = account.addresses
      .map(
        (address) =>
          `<item>${element("publicIp", address.publicIp)}${element("allocationId", address.allocationId)}${element("domain", "vpc")}${element("networkBorderGroup", account.region)}</item>`,
      )
      .join("");
    return ec2Reply(action, `<addressesSet>${items}</addressesSet>`);
  }
  if (action === "DescribeAvailabilityZones") {
    const all = params.get("AllAvailabilityZones") === "true";
    const items = account.zones
      .filter((zone) => all || zone.optInStatus !== "not-opted-in")
      .map(
        (zone) =>
          `<item>${element("zoneName", zone.zoneName)}${element("zoneState", zone.state)}${element("optInStatus", zone.optInStatus)}<messageSet/>${element("regionName", account.region)}${element("zoneId", zone.zoneId)}${element("groupName", account.region)}${element("networkBorderGroup", account.region)}${element("zoneType", zone.zoneType)}</item>`,
      )
      .join("");
    return ec2Reply(action, `<availabilityZoneInfo>${items}</availabilityZoneInfo>`);
  }
  return ec2Error(400, "InvalidAction", `The action ${action} is not valid for this web service.`);
}

export async function startAwsQueryEndpoint(account: FakeAwsAccount): Promise<LocalHttpServer> {
  return startLocalHttp((request) => {
    const service = sigV4Service(request.headers) ?? "";
    const isEc2 = service === "ec2";
    if (!versions[service])
      return queryError(
        "sts",
        403,
        "MissingAuthenticationToken",
        "Request is missing a SigV4 Authorization header for sts, iam or ec2",
      );
    if (
      request.method !== "POST" ||
      !String(request.headers["content-type"]).startsWith("application/x-www-form-urlencoded")
    ) {
      return isEc2
        ? ec2Error(400, "InvalidRequest", "expected a form-encoded POST")
        : queryError(service, 400, "InvalidRequest", "expected a form-encoded POST");
    }
    const params = new URLSearchParams(request.body);
    const action = params.get("Action") ?? "";
    if (params.get("Version") !== versions[service]) {
      return isEc2
        ? ec2Error(400, "InvalidParameterValue", "wrong Version")
        : queryError(service, 400, "InvalidParameterValue", `Version must be ${versions[service]}`);
    }
    if (account.denied.has(`${service}:${action}`)) {
      const message = `User: ${account.caller.arn} is not authorized to perform: ${service}:${action}`;
      return isEc2
        ? ec2Error(403, "UnauthorizedOperation", message)
        : queryError(service, 403, "AccessDenied", message);
    }
    if (service === "sts") return sts(account, action);
    if (service === "iam") return iam(account, action, params);
    return ec2(account, action, params);
  });
}
