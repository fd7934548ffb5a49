import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { logPipelineNames } from "../../infra/definitions/gcp-names";
import { parseKitConfig } from "../../infra/config";
import { readStackFile } from "../../infra/offline/stack-file";
import { replay } from "../../tools/replay";
import { bigQueryFailure, type QueryRunner } from "../../tools/replay/run";

const emptyHome = mkdtempSync(join(tmpdir(), "replay-home-"));
afterAll(() => rmSync(emptyHome, { recursive: true, force: true }));

async function run(argv: string[], options: { env?: NodeJS.ProcessEnv; home?: string; runQuery?: QueryRunner } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await replay(argv, {
    env: options.env ?? {},
    home: options.home ?? emptyHome,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    ...(options.runQuery ? { runQuery: options.runQuery } : {}),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe.each(["staging", "production"])("replay queries for %s", (stack) => {
  const config = parseKitConfig(readStackFile(stack));
  const names = logPipelineNames(stack, config.gcp);
  const project = config.gcp.project;

  it("prints the Log Analytics SQL on the bucket and the BigQuery SQL on the sink's table for one exchange, in order (B1)", async () => {
    const { code, out } = await run(["--stack", stack, "--exchange", "1234"]);
    expect(code).toBe(0);
    const [analytics, bigQuery] = out.split("\n\n");
    expect(analytics).toContain(`FROM \`${project}.${config.gcp.region}.${names.bucketId}._AllLogs\``);
    expect(analytics).toContain(`log_name = 'projects/${project}/logs/${names.logId}'`);
    expect(analytics).toContain("JSON_VALUE(labels.exchangeId) = '1234'");
    expect(analytics).toMatch(/ORDER BY timestamp, insert_id$/);
    expect(bigQuery).toContain(`FROM \`${project}.${names.datasetId}.${names.tableId}\``);
    expect(bigQuery).toContain("AND labels.exchangeid = '1234'");
    expect(bigQuery).toMatch(/ORDER BY timestamp, insertId$/);
  });

  it("queries one trace's whole path by the Cloud Logging trace field the shipper sets (B4)", async () => {
    const { code, out } = await run([
      "--stack",
      stack,
      "--trace",
      "Root=1-5759E988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
    ]);
    expect(code).toBe(0);
    const expected = `trace = 'projects/${project}/traces/1-5759e988-bd862e3fe1be46a994272793'`;
    expect(out.split(expected)).toHaveLength(3);
    expect(out).not.toContain("exchangeId) =");
  });
});

describe("replay arguments", () => {
  it("refuses ids that are not ids, so nothing can be injected into the SQL", async () => {
    const injected = await run(["--stack", "staging", "--exchange", "1' OR '1'='1"]);
    expect(injected.code).toBe(64);
    expect(injected.out).toBe("");
    expect((await run(["--stack", "staging", "--trace", "abc"])).code).toBe(64);
    expect(
      (await run(["--stack", "staging", "--exchange", "1", "--trace", "1-5759e988-bd862e3fe1be46a994272793"])).code,
    ).toBe(64);
    expect((await run(["--stack", "staging"])).err).toMatch(/--exchange <id> or --trace <id>/);
    expect((await run(["--exchange", "1"])).code).toBe(64);
    expect((await run(["--stack", "staging", "--exchange", "1", "--bogus"])).code).toBe(64);
  });

  it("names an unknown stack", async () => {
    const result = await run(["--stack", "nope", "--exchange", "1"]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/nope/);
  });
});

describe("replay --run", () => {
  it("without credentials says what is missing, exits non-zero and runs nothing", async () => {
    const runQuery = vi.fn<QueryRunner>();
    const result = await run(["--stack", "staging", "--exchange", "7", "--run"], { runQuery });
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/GOOGLE_APPLICATION_CREDENTIALS/);
    expect(result.err).toContain(join(emptyHome, ".config", "gcloud", "application_default_credentials.json"));
    expect(runQuery).not.toHaveBeenCalled();

    const missingFile = await run(["--stack", "staging", "--exchange", "7", "--run"], {
      env: { GOOGLE_APPLICATION_CREDENTIALS: join(emptyHome, "gone.json") },
      runQuery,
    });
    expect(missingFile.code).toBe(2);
    expect(missingFile.err).toContain("gone.json");
    expect(runQuery).not.toHaveBeenCalled();
  });

  it("with credentials runs the BigQuery query in the stack's project and prints the rows in order", async () => {
    const home = mkdtempSync(join(tmpdir(), "replay-adc-"));
    try {
      mkdirSync(join(home, ".config", "gcloud"), { recursive: true });
      writeFileSync(
        join(home, ".config", "gcloud", "application_default_credentials.json"),
        JSON.stringify({ type: "authorized_user" }),
      );
      const runQuery = vi.fn<QueryRunner>(async () => ({
        columns: ["timestamp", "operation", "outcome"],
        rows: [
          ["2026-11-28 12:00:00", "getExchange", "ok"],
          ["2026-11-28 12:00:01", "withdrawFunds", "ok"],
        ],
      }));
      const result = await run(["--stack", "production", "--exchange", "7", "--run"], { home, runQuery });
      expect(result.code).toBe(0);
      expect(runQuery).toHaveBeenCalledTimes(1);
      const [project, sql] = runQuery.mock.calls[0] ?? [];
      expect(project).toBe("boson-kit-production");
      expect(sql).toContain("AND labels.exchangeid = '7'");
      expect(result.out.indexOf("getExchange")).toBeLessThan(result.out.indexOf("withdrawFunds"));
      expect(result.out).toContain("2 rows");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("before the first tool-call record is exported, says so for the window and exits 3 instead of failing", async () => {
    const home = mkdtempSync(join(tmpdir(), "replay-adc-"));
    try {
      mkdirSync(join(home, ".config", "gcloud"), { recursive: true });
      writeFileSync(
        join(home, ".config", "gcloud", "application_default_credentials.json"),
        JSON.stringify({ type: "authorized_user" }),
      );
      // jobs.query's error bodies (reason notFound / invalidQuery), as google-auth-library's request rejects with them.
      const bigQueryError = (code: number, reason: string, message: string) =>
        Object.assign(new Error(message), {
          response: {
            status: code,
            data: { error: { code, message, errors: [{ reason, message, domain: "global" }] } },
          },
        });
      const answers = [
        bigQueryError(
          404,
          "notFound",
          "Not found: Table boson-kit-staging:boson_kit_staging.boson_kit_staging was not found in location EU",
        ),
        bigQueryError(400, "invalidQuery", "Unrecognized name: labels at [9:3]"),
        bigQueryError(
          400,
          "invalidQuery",
          "Field name toolcall does not exist in STRUCT<message STRING, level STRING> at [6:15]",
        ),
      ];
      for (const answer of answers) {
        const runQuery: QueryRunner = () => Promise.reject(bigQueryFailure(answer));
        const result = await run(
          ["--stack", "staging", "--exchange", "7", "--since", "2026-05-01", "--until", "2026-05-08", "--run"],
          { home, runQuery },
        );
        expect(result.code, answer.message).toBe(3);
        expect(result.out).toContain(
          "no tool-call records exported yet for exchange 7, stack staging, 2026-05-01T00:00:00.000Z to 2026-05-08T00:00:00.000Z",
        );
        expect(result.err).toContain(answer.message);
      }
      // Any other failure stays a failure.
      const denied = bigQueryError(403, "accessDenied", "Access Denied: Table boson-kit-staging:x.y");
      const failed = await run(["--stack", "staging", "--exchange", "7", "--run"], {
        home,
        runQuery: () => Promise.reject(bigQueryFailure(denied)),
      });
      expect(failed.code).toBe(1);
      expect(failed.err).toContain("replay failed: Access Denied");
      expect(failed.out).not.toContain("no tool-call records");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("exits non-zero from the command line too (npm run replay)", () => {
    const child = spawnSync(
      join("node_modules", ".bin", "tsx"),
      ["tools/replay.ts", "--stack", "staging", "--exchange", "3", "--run"],
      {
        env: { PATH: process.env.PATH ?? "", HOME: emptyHome },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(child.status).toBe(2);
    expect(child.stdout).toContain("labels.exchangeid = '3'");
    expect(child.stderr).toMatch(/cannot --run: no Google credentials/);
  });
});
