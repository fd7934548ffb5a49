// Prints each smoke step and exits 1 unless the smoke job's release record passed.
import { readFileSync } from "node:fs";

const result = JSON.parse(readFileSync(process.argv[2], "utf8"));
const record = result.releaseRecord;
if (!record) {
  console.error("the smoke job returned no release record");
  process.exit(1);
}
for (const step of record.steps) console.log(`${step.exchange}.${step.step}: ${step.status}`);
if (!record.passed) {
  console.error(`smoke test on ${record.stack}: FAILED`);
  process.exit(1);
}
console.log(`smoke test on ${record.stack}: passed`);
