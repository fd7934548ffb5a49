/**
 * A local stand-in for Lambda's REST-JSON API as preflight reads it:
 * GetAccountSettings is `GET /2016-08-19/account-settings`; errors carry the
 * type in the `x-amzn-ErrorType` header and `{ Type, message }` in the body.
 */
import { requestId, type FakeAwsAccount } from "./fake-aws-account";
import { sigV4Service, startLocalHttp, type LocalHttpServer, type Reply } from "./local-http";

const error = (status: number, type: string, message: string): Reply => ({
  status,
  headers: { "content-type": "application/json", "x-amzn-errortype": type, "x-amzn-requestid": requestId() },
  body: JSON.stringify({ Type: "User", message }),
});

export async function startAwsRestJsonEndpoint(account: FakeAwsAccount): Promise<LocalHttpServer> {
  return startLocalHttp((request) => {
    if (sigV4Service(request.headers) !== "lambda")
      return error(403, "MissingAuthenticationTokenException", "Request must be signed for lambda");
    const path = new URL(request.url, "http://127.0.0.1").pathname.replace(/\/$/, "");
    if (request.method !== "GET" || path !== "/2016-08-19/account-settings")
      return error(404, "ResourceNotFoundException", `no route ${request.method} ${path}`);
    if (account.denied.has("lambda:GetAccountSettings"))
      return error(
        403,
        "AccessDeniedException",
        `User: ${account.caller.arn} is not authorized to perform: lambda:GetAccountSettings`,
      );
    return {
      status: 200,
      headers: { "content-type": "application/json", "x-amzn-requestid": requestId() },
      body: JSON.stringify({
        AccountLimit: {
          TotalCodeSize: 80_530_636_800,
          CodeSizeUnzipped: 262_144_000,
          CodeSizeZipped: 52_428_800,
          ConcurrentExecutions: account.lambda.concurrentExecutions,
          UnreservedConcurrentExecutions: account.lambda.unreservedConcurrentExecutions,
        },
        AccountUsage: { TotalCodeSize: 0, FunctionCount: 0 },
      }),
    };
  });
}
