/**
 * Rebuilds the protocol fixture's committed artifact
 * (`test/fixtures/protocol-build.json`) from `test/fixtures/protocol/*.sol`:
 * run after editing the fixture (`npx tsx test/harness/write-fixture-build.ts`);
 * test/lambdas/protocol-fixture-build.test.ts fails until it is current.
 */
import { relative } from "node:path";
import { fixtureBuild } from "./protocol-fixture";
import { writeSolidityArtifact } from "./solc";

const build = fixtureBuild();
writeSolidityArtifact(build);
console.log(`wrote ${relative(process.cwd(), build.artifact)}`);
