/** Lambda's own lines (START / END / REPORT) carry no `service`: the shipper labels them with the job, not the log group's generated name. */
import type { CloudWatchLogsLogEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { toShippableEntry } from "../../lambdas/shipper/entries";
import { jobOfLogGroup } from "../../lambdas/shipper/job-name";

const context = { gcpProject: "boson-kit-staging", stack: "staging", configId: "staging-1-1" };
const source = (logGroup: string) => ({
  messageType: "DATA_MESSAGE" as const,
  owner: "123456789012",
  logGroup,
  logStream: "2026/11/28/[$LATEST]abc",
  subscriptionFilters: [],
  logEvents: [],
});
const line = (message: string, id = "1"): CloudWatchLogsLogEvent => ({
  id,
  timestamp: Date.parse("2026-11-28T10:00:00Z"),
  message,
});

describe("shipper: the job label of Lambda platform lines", () => {
  it.each([
    ["START RequestId: 6f1c9a2e-1111-4a5b-9c3d-abcdefabcdef Version: $LATEST"],
    ["END RequestId: 6f1c9a2e-1111-4a5b-9c3d-abcdefabcdef"],
    [
      "REPORT RequestId: 6f1c9a2e-1111-4a5b-9c3d-abcdefabcdef\tDuration: 812.33 ms\tBilled Duration: 813 ms\tMemory Size: 512 MB\tMax Memory Used: 98 MB",
    ],
  ])("labels %s with the job of its generated log group", (message) => {
    const entry = toShippableEntry(line(message), source("watcher-job-logs-a1b2c3d"), context);
    expect(entry.payload).toBe(message);
    expect(entry.metadata.labels.job).toBe("watcher");
  });

  it("reads the job from the kit's log group names, and keeps a group that names no job", () => {
    expect(jobOfLogGroup("withdraw-job-logs-9f8e7d6")).toBe("withdraw");
    expect(jobOfLogGroup("/aws/lambda/boson-kit-staging-health-1a2b3c")).toBe("health");
    expect(jobOfLogGroup("smoke-job-logs-0a0a0a0")).toBe("smoke");
    expect(jobOfLogGroup("/aws/lambda/some-other-function")).toBe("some-other-function");
  });

  it("prefers the record's own service when it has one", () => {
    const record = JSON.stringify({
      level: "INFO",
      message: "health report",
      service: "health",
      timestamp: "2026-11-28T10:00:00.000Z",
    });
    expect(toShippableEntry(line(record), source("watcher-job-logs-a1b2c3d"), context).metadata.labels.job).toBe(
      "health",
    );
  });
});
