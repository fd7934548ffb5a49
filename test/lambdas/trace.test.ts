import { describe, expect, it } from "vitest";
import { currentTraceId, traceHeaders } from "../../lambdas/shared/runtime/trace";

describe("trace id (B4)", () => {
  const env = { _X_AMZN_TRACE_ID: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1" };

  it("takes the X-Ray root id from the Lambda environment", () => {
    expect(currentTraceId(env)).toBe("1-5759e988-bd862e3fe1be46a994272793");
  });

  it("forwards it as a header, and forwards nothing outside Lambda", () => {
    expect(traceHeaders(env)).toEqual({ "X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793" });
    expect(traceHeaders({})).toEqual({});
  });
});
