import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Vitest } from "vitest/node";
import { JsonReporter } from "vitest/reporters";
import { sourceHash } from "../../tools/review/evidence/source-hash";
import { recordedRunFile } from "../../tools/review/evidence/recorded-run";

/**
 * Vitest's own JSON reporter, plus a small file next to its report that says
 * which sources the run ran on (their content hash, taken when the run
 * starts) and which report it describes (the report's sha256). The readiness
 * review counts a test as evidence only from a report that both match.
 * `npm test` uses it: `--reporter=./test/harness/recorded-run-reporter.ts`.
 */
export default class RecordedRunReporter extends JsonReporter {
  private sources = "";

  constructor() {
    super({ outputFile: ".test-results.json" });
  }

  override onInit(ctx: Vitest): void {
    super.onInit(ctx);
    this.sources = sourceHash(ctx.config.root);
  }

  override async writeReport(report: string): Promise<void> {
    await super.writeReport(report);
    const reportFile = resolve(this.ctx.config.root, ".test-results.json");
    const record = {
      report: ".test-results.json",
      reportSha256: createHash("sha256").update(report).digest("hex"),
      sourceHash: this.sources,
    };
    writeFileSync(join(dirname(reportFile), recordedRunFile), `${JSON.stringify(record, null, 2)}\n`);
  }
}
