import { describe, expect, it } from "vitest";
import { ConfigError, parseKitConfig, type ConfigSource } from "../../../infra/config";
import { stackSource } from "../../../infra/offline/stack-file";
import type { InvalidCase } from "./fixtures";
import { alertingCases } from "./invalid-alerting";
import { platformCases } from "./invalid-platform";
import { protocolCases } from "./invalid-protocol";

const invalidConfigs: InvalidCase[] = [...protocolCases, ...alertingCases, ...platformCases];

function configErrorFor(testCase: InvalidCase): ConfigError {
  const values = testCase.base();
  testCase.mutate(values);
  const source: ConfigSource = {
    ...stackSource(testCase.stack, values),
    mode: testCase.mode ?? "offline",
    ...(testCase.secretKeys ? { secretKeys: new Set(testCase.secretKeys) } : {}),
  };
  try {
    parseKitConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected "${testCase.name}" to be refused, but it validated`);
}

describe("stack config validation", () => {
  it("has at least 30 distinct invalid configs, each on its own key or rule", () => {
    expect(invalidConfigs.length).toBeGreaterThanOrEqual(30);
    expect(new Set(invalidConfigs.map((c) => c.name)).size).toBe(invalidConfigs.length);
  });

  describe.each(invalidConfigs)("refuses $name", (testCase) => {
    it("with one message naming the key, the bad value and the fix", () => {
      const error = configErrorFor(testCase);
      const issue = error.issues.find((candidate) => candidate.key === testCase.key);
      expect(issue, `issues were: ${error.message}`).toBeDefined();
      expect(issue?.problem).toMatch(testCase.problem);
      expect(issue?.value).toMatch(testCase.value);
      expect(issue?.fix).toMatch(testCase.fix);
      expect(issue?.fix).toMatch(/pulumi config|infra\/chains\.ts/);
      expect(error.message).toContain(testCase.key);
      expect(error.message).toContain(issue?.fix);
      // Secret values never appear in an error, even when they are the problem.
      expect(error.message).not.toContain("not-a-real-key");
    });
  });
});
